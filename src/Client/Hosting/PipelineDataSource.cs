using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Results;

namespace Pipeline.Client.Hosting;

/// <summary>
/// The process's one PostgreSQL pool: an <see cref="NpgsqlDataSource"/> on <c>Pipeline:Results</c>, registered once and
/// shared by the results store (and its LISTEN connection), Hangfire's retry delays and the scheduler's Quartz store,
/// so a process holds at most its Maximum Pool Size (20 unless the connection string says otherwise). Created on first
/// use, so a process without PostgreSQL never opens one; disposed with the container.
/// </summary>
internal static class PipelineDataSource
{
    public static IServiceCollection AddPipelineDataSource(this IServiceCollection services)
    {
        // Not Npgsql.DependencyInjection's AddNpgsqlDataSource: it takes the connection string at registration, before a
        // services.Configure<PostgresResultStoreOptions>(...) from code has run; this reads the options in effect.
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PostgresResultStoreOptions>>().Value.CreateDataSource());
        return services;
    }
}
