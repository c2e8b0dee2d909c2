using Microsoft.Extensions.Logging;

namespace Pipeline.WorkerHost;

/// <summary>Log messages of Pipeline.WorkerHost; event ids 2000-2099 (2100-2199 are the slots', 2200-2219 the store's).</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Pool {Queue} starting ({Parameters})")]
    public static partial void PoolStarting(ILogger logger, string queue, string parameters);

    [LoggerMessage(2001, LogLevel.Information, "Pool {Queue} consuming (GPUs: {Gpus})")]
    public static partial void PoolConsuming(ILogger logger, string queue, string gpus);

    [LoggerMessage(2002, LogLevel.Information, "Pool {Queue} not started here: {Reason}")]
    public static partial void DemandIgnored(ILogger logger, string queue, string reason);

    [LoggerMessage(2003, LogLevel.Information, "Stopping {Count} pool(s); grace period {GraceSeconds} s")]
    public static partial void Stopping(ILogger logger, int count, double graceSeconds);

    [LoggerMessage(2004, LogLevel.Information, "Worker host serving apps: {Apps}")]
    public static partial void Serving(ILogger logger, string apps);

    [LoggerMessage(2005, LogLevel.Information, "Pool {Queue} stopping: {Reason}")]
    public static partial void PoolStopping(ILogger logger, string queue, string reason);

    [LoggerMessage(2006, LogLevel.Warning, "Pool {Queue}: {InFlight} input(s) still running at the end of the drain; they go back to the queue")]
    public static partial void DrainCut(ILogger logger, string queue, int inFlight);

    [LoggerMessage(2017, LogLevel.Information, "Pool {Queue}: {Count} input(s) waiting for a turn given back to the queue, not run here")]
    public static partial void GivenBack(ILogger logger, string queue, int count);

    [LoggerMessage(2007, LogLevel.Error, "Pool {Queue} failed to start")]
    public static partial void PoolFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(2008, LogLevel.Warning, "Reconcile failed; retrying next interval")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception);

    [LoggerMessage(2009, LogLevel.Information, "Deleted idle pool queue {Queue}")]
    public static partial void QueueDeleted(ILogger logger, string queue);

    [LoggerMessage(2010, LogLevel.Warning, "Broker connection lost for pool {Queue}; running exit and serving again after reconnect")]
    public static partial void EndpointFaulted(ILogger logger, string queue);

    [LoggerMessage(2011, LogLevel.Information, "Slots: {CpuSlots} CPU, GPUs: {Gpus}")]
    public static partial void Inventory(ILogger logger, int cpuSlots, string gpus);

    [LoggerMessage(2013, LogLevel.Debug, "Pool {Queue} still not started here: {Reason}")]
    public static partial void DemandIgnoredAgain(ILogger logger, string queue, string reason);

    [LoggerMessage(2014, LogLevel.Information, "Connected: listening for pool notices")]
    public static partial void ListeningForNotices(ILogger logger);

    [LoggerMessage(2012, LogLevel.Warning, "Second signal: stopping at once")]
    public static partial void HardStop(ILogger logger);

    [LoggerMessage(2015, LogLevel.Information, "Retry delays are durable: kept in PostgreSQL schema {Schema}, looked for every {PollMs} ms")]
    public static partial void RetryServerStarted(ILogger logger, string schema, double pollMs);

    [LoggerMessage(2016, LogLevel.Warning, "Retry delays are held in memory: set Pipeline:Results:ConnectionString or PIPELINE_POSTGRES so a retry survives a restart")]
    public static partial void RetriesInMemory(ILogger logger);

    [LoggerMessage(2031, LogLevel.Debug, "Pool {Queue}: its endpoint stopped; closing its channel so the broker requeues any input left unsettled")]
    public static partial void PoolChannelClosed(ILogger logger, string queue);

    [LoggerMessage(2030, LogLevel.Warning, "A message on {Queue} is no input; moved to its _error queue: {Reason}")]
    public static partial void DeadLettered(ILogger logger, string queue, string reason);
}
