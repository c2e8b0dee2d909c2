namespace Pipeline.RabbitMq.Tests;

[Collection(BrokerTests.Name)]
public sealed class BrokerLeaseTests(BrokerFixture broker)
{
    private readonly string _queue = BrokerFixture.NewQueueName();

    [Fact]
    public async Task TryAcquireLeaseAsync_HeldByAnotherConnection_IsNullUntilReleased()
    {
        await using var first = BrokerFixture.Topology(broker.Options());
        await using var second = BrokerFixture.Topology(broker.Options());

        var lease = await first.TryAcquireLeaseAsync(_queue, 1, CancellationToken.None);
        Assert.NotNull(lease);
        Assert.Equal((0, _queue + ".lease-0"), (lease.Slot, lease.Name));
        Assert.Null(await second.TryAcquireLeaseAsync(_queue, 1, CancellationToken.None));

        await lease.DisposeAsync();

        await using var taken = await second.TryAcquireLeaseAsync(_queue, 1, CancellationToken.None);
        Assert.NotNull(taken);
        Assert.False(lease.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_HolderConnectionCloses_LeaseIsLostAndFree()
    {
        await using var second = BrokerFixture.Topology(broker.Options());
        var first = BrokerFixture.Topology(broker.Options());
        var lease = await first.TryAcquireLeaseAsync(_queue, 1, CancellationToken.None);
        Assert.NotNull(lease);
        var lost = new TaskCompletionSource();
        using var registration = lease.Lost.Register(() => lost.TrySetResult());

        await first.DisposeAsync();

        await lost.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await using var taken = await second.TryAcquireLeaseAsync(_queue, 1, CancellationToken.None);
        Assert.NotNull(taken);
        await lease.DisposeAsync();
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_SameConnection_TakesEachSlotOnce()
    {
        await using var topology = BrokerFixture.Topology(broker.Options());

        await using var a = await topology.TryAcquireLeaseAsync(_queue, 2, CancellationToken.None);
        await using var b = await topology.TryAcquireLeaseAsync(_queue, 2, CancellationToken.None);
        var c = await topology.TryAcquireLeaseAsync(_queue, 2, CancellationToken.None);

        Assert.Equal([0, 1], new[] { a!.Slot, b!.Slot });
        Assert.Null(c);
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_Concurrently_NeverHandsOutMoreThanMax()
    {
        await using var first = BrokerFixture.Topology(broker.Options());
        await using var second = BrokerFixture.Topology(broker.Options());

        var leases = await Task.WhenAll(Enumerable.Range(0, 12).Select(
            i => (i % 2 == 0 ? first : second).TryAcquireLeaseAsync(_queue, 3, CancellationToken.None)));

        var held = leases.Where(l => l is not null).Select(l => l!).ToList();
        Assert.Equal(3, held.Count);
        Assert.Equal([0, 1, 2], held.Select(l => l.Slot).Order());
        foreach (var lease in held)
        {
            await lease.DisposeAsync();
        }
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_NameTooLong_Throws()
    {
        await using var topology = BrokerFixture.Topology(broker.Options());

        await Assert.ThrowsAsync<ArgumentException>(
            () => topology.TryAcquireLeaseAsync(new string('a', 250), 10, CancellationToken.None));
    }

    [Fact]
    public async Task DisposeAsync_Twice_ReleasesOnce()
    {
        await using var topology = BrokerFixture.Topology(broker.Options());
        var lease = await topology.TryAcquireLeaseAsync(_queue, 1, CancellationToken.None);

        await lease!.DisposeAsync();
        await using var again = await topology.TryAcquireLeaseAsync(_queue, 1, CancellationToken.None);
        await lease.DisposeAsync();

        Assert.NotNull(again);
        Assert.NotNull(await topology.PeekAsync(again.Name, CancellationToken.None));
    }
}
