namespace Pipeline.Results;

/// <summary>A spawned call's pending row, as <see cref="WriteBatcher"/> merges it with others into one insert.</summary>
/// <param name="CallId">The call.</param>
/// <param name="CreatedAt">When it was registered, in UTC.</param>
/// <param name="ParentCallId">The call it was made from, or null.</param>
internal sealed record PendingRow(string CallId, DateTimeOffset CreatedAt, string? ParentCallId);
