using Pipeline.Messages.Invocations;

namespace Pipeline.WorkerHost.Pools;

/// <summary>A pool queue as the broker reports it (the management API lags by a few seconds).</summary>
internal sealed record PoolQueueState(string Queue, PoolDemanded Demand, long Ready, long Messages, int Consumers, DateTimeOffset? IdleSince);
