using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Messages.Invocations;

namespace Pipeline.Results.Tests;

/// <summary>
/// Idempotency keys, duplicates and cancellation where only PostgreSQL can show it: several stores (standing for several
/// processes) at once, the purge, and databases made by an earlier version. The behaviour every store shares is in
/// <see cref="ResultStoreContract"/>.
/// </summary>
public sealed class PostgresResultStoreIdempotencyTests : PostgresTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ClaimAsync_ManyStoresAtOnce_AllAgreeOnOneOwnerPerKey()
    {
        // Fresh stores on a schema nobody made yet: the first claims also race to create it.
        var stores = Enumerable.Range(0, 5).Select(_ => Schema.Store(configure: TestSchema.FewConnections)).ToList();
        var keys = Enumerable.Range(0, 5).Select(k => $"key-{k}").ToList();

        var claims = keys.SelectMany(key => Enumerable.Range(0, 20).Select(i => (Key: key, CallId: $"{key}-fc-{i}", Store: stores[i % stores.Count])))
            .Select(c => Task.Run(async () => (c.Key, Owner: await c.Store.ClaimAsync(c.Key, c.CallId, CancellationToken.None))))
            .ToList();
        var owners = await Task.WhenAll(claims).WaitAsync(Patience);

        foreach (var key in keys)
        {
            var owner = Assert.Single(owners.Where(o => o.Key == key).Select(o => o.Owner).Distinct());
            Assert.StartsWith($"{key}-fc-", owner, StringComparison.Ordinal);
            Assert.Equal(1, await Schema.ScalarAsync("select count(*) from $schema.idempotency where key = $1 and call_id = $2", key, owner));
        }
    }

    [Fact]
    public async Task ClaimAsync_ExpiredClaimTakenByManyStoresAtOnce_OneNewOwner()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var stores = Enumerable.Range(0, 5).Select(_ => Schema.Store(time, o =>
        {
            TestSchema.FewConnections(o);
            o.Retention = TimeSpan.FromHours(1);
        })).ToList();
        await stores[0].ClaimAsync("key-1", "fc-old", CancellationToken.None);
        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        var owners = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => stores[i % stores.Count].ClaimAsync("key-1", $"fc-{i}", CancellationToken.None).AsTask()))).WaitAsync(Patience);

        var owner = Assert.Single(owners.Distinct());
        Assert.NotEqual("fc-old", owner);
        Assert.Equal(
            1,
            await Schema.ScalarAsync(
                "select count(*) from $schema.idempotency where key = 'key-1' and call_id = $1 and expires_at = $2",
                owner,
                time.GetUtcNow() + TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task CancelAsync_RacingARecordFromAnotherStore_ExactlyOneOfTheTwoStands()
    {
        var cancelling = Schema.Store(configure: TestSchema.FewConnections);
        var recording = Schema.Store(configure: TestSchema.FewConnections);
        var ids = Enumerable.Range(0, 20).Select(i => $"fc-{i}").ToList();
        foreach (var id in ids)
        {
            await cancelling.RegisterAsync(id, CancellationToken.None);
        }

        var cancels = ids.Select(id => Task.Run(() => cancelling.CancelAsync(id, CancellationToken.None).AsTask())).ToList();
        var records = ids.Select(id => Task.Run(() => recording.RecordAsync(Succeeded(id), CancellationToken.None).AsTask())).ToList();
        await Task.WhenAll(records).WaitAsync(Patience);
        var cancelled = await Task.WhenAll(cancels).WaitAsync(Patience);

        foreach (var (id, wasCancelled) in ids.Zip(cancelled))
        {
            var result = (await recording.GetAsync(id, TimeSpan.Zero, CancellationToken.None)).Result!;
            Assert.Equal(wasCancelled ? InvocationStatus.Cancelled : InvocationStatus.Succeeded, result.Status);
        }
    }

    [Fact]
    public async Task PurgeExpiredAsync_DeletesExpiredClaimsAndDuplicatesWhoseOwnerIsGone()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var store = Schema.Store(time, o =>
        {
            o.Retention = TimeSpan.FromHours(1);
            o.PurgeInterval = TimeSpan.FromDays(1);
        });
        await store.RegisterAsync("fc-live", CancellationToken.None);
        await store.RecordDuplicateAsync("fc-dup-live", "fc-live", CancellationToken.None);
        await store.RecordAsync(Succeeded("fc-done"), CancellationToken.None);
        await store.RecordDuplicateAsync("fc-dup-done", "fc-done", CancellationToken.None);
        await store.RecordDuplicateAsync("fc-dup-orphan", "fc-never", CancellationToken.None);
        await store.ClaimAsync("key-old", "fc-done", CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(30));
        await store.ClaimAsync("key-new", "fc-new", CancellationToken.None);
        // Its owner has claimed the key and not registered yet: the duplicate must outlive the wait.
        await store.RecordDuplicateAsync("fc-dup-young", "fc-not-yet", CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(31));

        var purged = await store.PurgeExpiredAsync(CancellationToken.None);

        Assert.Equal(3, purged);
        Assert.Equal(
            ["fc-dup-live", "fc-dup-young", "fc-live"],
            await Schema.StringsAsync("select call_id from $schema.calls order by call_id"));
        Assert.Equal(["key-new"], await Schema.StringsAsync("select key from $schema.idempotency order by key"));
        Assert.Equal(CallState.Pending, (await store.GetAsync("fc-dup-live", TimeSpan.Zero, CancellationToken.None)).State);
    }

    [Fact]
    public async Task GetAsync_SchemaOfTheFirstVersion_IsUpgradedInPlace()
    {
        // The tables as the first version made them, with a result and a pending call in them.
        await Schema.ExecuteAsync(
            """
            create schema $schema;
            create table $schema.calls (
                call_id text primary key, status text not null, value json null, error json null,
                attempts integer not null default 0, started_at timestamptz null, finished_at timestamptz null,
                created_at timestamptz not null, expires_at timestamptz null);
            create index calls_expires_at on $schema.calls (expires_at) where expires_at is not null;
            insert into $schema.calls (call_id, status, value, attempts, started_at, finished_at, created_at, expires_at)
                values ('fc-old', 'Succeeded', '"kept"', 1, now(), now(), now(), now() + interval '1 day');
            insert into $schema.calls (call_id, status, created_at) values ('fc-pending', 'pending', now());
            """);
        var store = Schema.Store();

        var old = await store.GetAsync("fc-old", TimeSpan.Zero, CancellationToken.None);

        Assert.Equal("\"kept\"", old.Result!.Value!.Value.GetRawText());
        Assert.Equal("fc-pending", await store.ClaimAsync("key-1", "fc-pending", CancellationToken.None));
        Assert.Equal("fc-pending", await store.ClaimAsync("key-1", "fc-dup", CancellationToken.None));
        await store.RecordDuplicateAsync("fc-dup", "fc-pending", CancellationToken.None);
        Assert.True(await store.CancelAsync("fc-dup", CancellationToken.None));
        Assert.Equal(InvocationStatus.Cancelled, (await store.GetAsync("fc-pending", TimeSpan.Zero, CancellationToken.None)).Result!.Status);
        Assert.Equal(1, await Schema.ScalarAsync("select count(*) from $schema.calls where call_id = 'fc-dup' and duplicate_of = 'fc-pending'"));
    }

    private static InvocationCompleted Succeeded(string callId)
    {
        using var document = JsonDocument.Parse("1");
        return new InvocationCompleted
        {
            CallId = callId,
            Status = InvocationStatus.Succeeded,
            Value = document.RootElement.Clone(),
            Attempts = 1,
        };
    }
}
