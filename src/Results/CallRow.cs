namespace Pipeline.Results;

/// <summary>A call's row as <see cref="LookupBatcher"/> read it: the row that answers (its owner's, for a duplicate).</summary>
/// <param name="Status">The status name, or pending.</param>
/// <param name="Value">The value's JSON text, or null.</param>
/// <param name="Error">The error's JSON text, or null.</param>
/// <param name="Attempts">Attempts recorded.</param>
/// <param name="StartedAt">When the last attempt started, or null.</param>
/// <param name="FinishedAt">When it finished, or null.</param>
/// <param name="ExpiresAt">When the result expires, or null (pending calls never expire).</param>
/// <param name="Answering">The id of the row that answered.</param>
internal sealed record CallRow(
    string Status,
    string? Value,
    string? Error,
    int Attempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? ExpiresAt,
    string Answering);
