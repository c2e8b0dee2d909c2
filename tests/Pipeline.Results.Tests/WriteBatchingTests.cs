using Npgsql;

namespace Pipeline.Results.Tests;

/// <summary>
/// Writes that arrive together share one batch and one commit, every one of them lands, and a write that fails alone
/// does not take the others in its batch down.
/// </summary>
public sealed class WriteBatchingTests : PostgresTestBase
{
    [Fact]
    public async Task RegisterAsync_FiveHundredAtOnce_AllPendingInFewerBatchesThanWrites()
    {
        await using var store = Schema.Store();
        await store.RegisterAsync("fc-warm", CancellationToken.None);
        var before = store.WriteBatches;
        var ids = Enumerable.Range(0, 500).Select(i => $"fc-batch-{i}").ToList();

        await Task.WhenAll(ids.Select(id => store.RegisterAsync(id, CancellationToken.None).AsTask()));

        var batches = store.WriteBatches - before;
        Assert.InRange(batches, 1, 499);
        foreach (var id in ids)
        {
            Assert.Equal(CallState.Pending, (await store.GetAsync(id, TimeSpan.Zero, CancellationToken.None)).State);
        }
    }

    [Fact]
    public async Task WriteAsync_OneBadStatementAmongGoodOnes_OnlyItFailsAndTheOthersCommit()
    {
        await using var dataSource = NpgsqlDataSource.Create(TestSchema.ConnectionString);
        var table = $"\"{Schema.Name}\".batching_probe";
        await using (var create = dataSource.CreateCommand($"create schema if not exists \"{Schema.Name}\"; create table {table} (id int primary key)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var writes = new WriteBatcher(dataSource);
        var good = Enumerable.Range(0, 50).Select(i => writes.WriteAsync([Insert(table, i)], CancellationToken.None)).ToList();
        var bad = writes.WriteAsync([new NpgsqlBatchCommand($"insert into {table} (id) values ('not a number')")], CancellationToken.None);
        var more = Enumerable.Range(50, 50).Select(i => writes.WriteAsync([Insert(table, i)], CancellationToken.None)).ToList();

        await Task.WhenAll(good.Concat(more));
        var error = await Assert.ThrowsAsync<PostgresException>(() => bad);
        Assert.Equal("22P02", error.SqlState);
        await using var count = dataSource.CreateCommand($"select count(*) from {table}");
        Assert.Equal(100L, await count.ExecuteScalarAsync());
    }

    private static NpgsqlBatchCommand Insert(string table, int id)
    {
        var insert = new NpgsqlBatchCommand($"insert into {table} (id) values ($1)");
        insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id });
        return insert;
    }
}
