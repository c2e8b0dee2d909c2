using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pipeline.Results.Tests;

/// <summary>
/// A schema of its own for one test (<c>test_&lt;guid&gt;</c>) on the local PostgreSQL, dropped at the end. The server
/// not answering fails the test: these tests are the only check of the store, so they must never pass by skipping.
/// </summary>
internal sealed class TestSchema : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly List<PostgresResultStore> _stores = [];

    private TestSchema(NpgsqlDataSource dataSource, string name)
    {
        _dataSource = dataSource;
        Name = name;
    }

    public static string ConnectionString { get; } = PostgresResultStoreOptions.ResolveConnectionString(
        null, Environment.GetEnvironmentVariable(PostgresResultStoreOptions.EnvironmentVariable));

    public string Name { get; }

    public static async Task<TestSchema> CreateAsync()
    {
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        try
        {
            await using var command = dataSource.CreateCommand("select 1");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await command.ExecuteScalarAsync(timeout.Token);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            await dataSource.DisposeAsync();
            Assert.Fail(
                $"PostgreSQL is not reachable at {new PostgresResultStoreOptions().Redacted} ({e.GetType().Name}: {e.Message}). " +
                "Run infra/up.sh to start it (or set PIPELINE_POSTGRES to a server that runs), then run the tests again.");
        }

        return new TestSchema(dataSource, "test_" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>
    /// At most four connections for a store (each stands for a process): racing work queues for them as it would in production,
    /// and a test with many calls at once leaves the server's connection slots (100 by default) to the tests running beside it.
    /// </summary>
    public static void FewConnections(PostgresResultStoreOptions options) =>
        options.ConnectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString) { MaxPoolSize = 4 }.ConnectionString;

    public PostgresResultStoreOptions Options(Action<PostgresResultStoreOptions>? configure = null)
    {
        var options = new PostgresResultStoreOptions { ConnectionString = ConnectionString, Schema = Name };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A store on this schema, disposed with it.</summary>
    public PostgresResultStore Store(
        TimeProvider? time = null, Action<PostgresResultStoreOptions>? configure = null, ILogger<PostgresResultStore>? logger = null)
    {
        var store = new PostgresResultStore(Options(configure), time ?? TimeProvider.System, logger);
        lock (_stores)
        {
            _stores.Add(store);
        }

        return store;
    }

    public async Task<long> ScalarAsync(string sql, params object[] parameters)
    {
        await using var command = _dataSource.CreateCommand(sql.Replace("$schema", $"\"{Name}\"", StringComparison.Ordinal));
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<string>> StringsAsync(string sql)
    {
        await using var command = _dataSource.CreateCommand(sql.Replace("$schema", $"\"{Name}\"", StringComparison.Ordinal));
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var command = _dataSource.CreateCommand(sql.Replace("$schema", $"\"{Name}\"", StringComparison.Ordinal));
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        PostgresResultStore[] stores;
        lock (_stores)
        {
            stores = [.. _stores];
        }

        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        await ExecuteAsync($"drop schema if exists \"{Name}\" cascade");
        await _dataSource.DisposeAsync();
    }
}
