namespace Pipeline.Results;

/// <summary>
/// The autoscaler settings <c>pipeline pools scale</c> stored for one pool (Modal's <c>update_autoscaler</c>); a null
/// field leaves the app's own setting in effect.
/// </summary>
/// <param name="Queue">The pool queue.</param>
/// <param name="Min">MinContainers across hosts, or null.</param>
/// <param name="Max">MaxContainers across hosts (0: no limit), or null.</param>
/// <param name="Buffer">BufferContainers, or null.</param>
/// <param name="UpdatedAt">When they were set.</param>
internal sealed record StoredPoolScale(string Queue, int? Min, int? Max, int? Buffer, DateTimeOffset UpdatedAt);
