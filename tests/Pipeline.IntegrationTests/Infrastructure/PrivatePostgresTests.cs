using Npgsql;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>The private server helper itself: a restart keeps the port and the data, and its count sees connections.
/// In the second servers collection only to keep the run at two lanes.</summary>
[Collection(ServersGroupB.Name)]
public sealed class PrivatePostgresTests
{
    [Fact]
    public async Task RestartAsync_KeepsPortAndData()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await ExecuteAsync(postgres, "create table kept (id int); insert into kept values (42)");
        var port = postgres.Port;

        await postgres.RestartAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(port, postgres.Port);
        Assert.Equal(42, await ExecuteAsync(postgres, "select id from kept"));
    }

    [Fact]
    public async Task CountConnectionsAsync_CountsByApplicationName()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var held = new NpgsqlConnection($"{postgres.ConnectionString};Application Name=private-pg-test;Pooling=false");
        await held.OpenAsync();

        Assert.Equal(1, await postgres.CountConnectionsAsync("private-pg-test"));
    }

    private static async Task<int?> ExecuteAsync(PrivatePostgres postgres, string sql)
    {
        await using var connection = new NpgsqlConnection($"{postgres.ConnectionString};Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync() as int?;
    }
}
