using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pipeline.WorkerHost.Store;

namespace Pipeline.WorkerHost.Tests.Store;

public sealed class StoreOutageTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();
    private readonly StoreOutage _outage;
    private readonly SemaphoreSlim _tries = new(0);
    private int _count;

    public StoreOutageTests()
    {
        _outage = new StoreOutage(_time, NullLogger<StoreOutage>.Instance) { Random = () => 0.5 };
    }

    [Fact]
    public async Task RunAsync_StoreRestarting_TriesAgainAfterEachBackoffOnTheClock_AndIsDownUntilItAnswers()
    {
        var run = _outage.RunAsync("record", _ => Try(failures: 2, new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01")), CancellationToken.None).AsTask();

        Assert.True(await _tries.WaitAsync(Patience));
        Assert.True(_outage.IsDown);
        _time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Equal(1, Volatile.Read(ref _count));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await _tries.WaitAsync(Patience));
        Assert.Equal(2, Volatile.Read(ref _count));
        Assert.True(_outage.IsDown);

        _time.Advance(TimeSpan.FromMilliseconds(399));
        Assert.Equal(2, Volatile.Read(ref _count));
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(42, await run.WaitAsync(Patience));
        Assert.Equal(3, _count);
        Assert.False(_outage.IsDown);
    }

    [Theory]
    [InlineData("53300")] // too many clients
    [InlineData("57P03")] // the database system is starting up
    [InlineData("08006")] // connection failure
    public async Task RunAsync_TransientSqlState_IsWaitedOut(string sqlState)
    {
        var run = _outage.RunAsync("claim", _ => Try(failures: 1, new PostgresException("outage", "FATAL", "FATAL", sqlState)), CancellationToken.None).AsTask();
        Assert.True(await _tries.WaitAsync(Patience));

        _time.Advance(StoreBackoff.Max);

        Assert.Equal(42, await run.WaitAsync(Patience));
    }

    [Fact]
    public async Task RunAsync_ABug_ThrowsAtOnceWithoutMarkingTheStoreDown()
    {
        var bug = new PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", "23505");

        var thrown = await Assert.ThrowsAsync<PostgresException>(() => _outage.RunAsync("record", _ => Try(failures: 5, bug), CancellationToken.None).AsTask());

        Assert.Same(bug, thrown);
        Assert.Equal(1, _count);
        Assert.False(_outage.IsDown);
    }

    [Fact]
    public async Task RunAsync_HostStoppingDuringTheWait_ThrowsOperationCanceled_SoTheInputIsDeliveredAgain()
    {
        using var stopping = new CancellationTokenSource();
        var run = _outage.RunAsync("lookup", _ => Try(failures: 100, new NpgsqlException("refused", new System.Net.Sockets.SocketException(111))), stopping.Token).AsTask();
        Assert.True(await _tries.WaitAsync(Patience));

        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Patience));
        Assert.Equal(1, _count);
    }

    public void Dispose() => _tries.Dispose();

    private ValueTask<int> Try(int failures, Exception error)
    {
        var count = Interlocked.Increment(ref _count);
        _tries.Release();
        return count <= failures ? ValueTask.FromException<int>(error) : ValueTask.FromResult(42);
    }
}
