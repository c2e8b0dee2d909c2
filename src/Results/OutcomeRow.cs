namespace Pipeline.Results;

/// <summary>A call's outcome row, as <see cref="WriteBatcher"/> merges it with others into one upsert and one notify.</summary>
/// <param name="CallId">The call.</param>
/// <param name="Status">Its status name.</param>
/// <param name="Value">The value's JSON text, or null.</param>
/// <param name="Error">The error's JSON text, or null.</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="StartedAt">When the last attempt started, in UTC.</param>
/// <param name="FinishedAt">When it finished, in UTC.</param>
/// <param name="RecordedAt">When this store recorded it, in UTC.</param>
/// <param name="ExpiresAt">When the result expires, in UTC.</param>
internal sealed record OutcomeRow(
    string CallId,
    string Status,
    string? Value,
    string? Error,
    int Attempts,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    DateTimeOffset RecordedAt,
    DateTimeOffset ExpiresAt);
