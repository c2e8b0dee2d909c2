using Npgsql;

namespace Pipeline.Scheduler.Store;

/// <summary>
/// Where the schedule store's connections come from, Quartz's and the start-up lock's alike: the process's one
/// <see cref="NpgsqlDataSource"/> when the store is in the results' database (the usual case: <c>PIPELINE_POSTGRES</c>
/// sets both), else one of the scheduler's own. Null for the in-memory store.
/// </summary>
/// <param name="dataSource">The data source; null for the in-memory store.</param>
internal sealed class StoreConnections(NpgsqlDataSource? dataSource)
{
    /// <summary>The service key of the scheduler's own data source, registered when it does not share the process's.</summary>
    public const string OwnDataSourceKey = "pipeline-scheduler-store";

    public NpgsqlDataSource DataSource => dataSource ?? throw new InvalidOperationException("The in-memory schedule store has no PostgreSQL.");
}
