namespace Pipeline.WorkerHost.Metrics;

/// <summary>One pool this host serves, as the metrics see it at a scrape.</summary>
/// <param name="Queue">The pool's queue.</param>
/// <param name="State"><c>starting</c> (taking a slot, running <c>enter</c>), <c>running</c> (inputs in flight) or <c>idle</c>.</param>
/// <param name="InFlight">Inputs its container is running now.</param>
internal sealed record PoolActivity(string Queue, string State, int InFlight);
