using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Tests.Lifecycle;

/// <summary>The containers of a pool on one host share its inputs: least busy first, each within its concurrency, waiters first come first served.</summary>
public sealed class ContainerDispatchTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task TakeTurnAsync_TwoContainers_SpreadsInputsAcrossThem()
    {
        var dispatch = new ContainerDispatch(_time);
        var a = Slot(concurrency: 2);
        var b = Slot(concurrency: 2);
        dispatch.Add(a);
        dispatch.Add(b);

        var taken = new[] { await dispatch.TakeTurnAsync(CancellationToken.None), await dispatch.TakeTurnAsync(CancellationToken.None) };

        Assert.Equal(2, taken.Distinct().Count());
        Assert.Equal(2, dispatch.Busy);
    }

    [Fact]
    public async Task TakeTurnAsync_AllFull_WaitsAndRaisesPressedUntilAContainerIsAdded()
    {
        var dispatch = new ContainerDispatch(_time);
        var pressed = 0;
        dispatch.Pressed += () => pressed++;
        var a = Slot(concurrency: 1);
        dispatch.Add(a);
        await dispatch.TakeTurnAsync(CancellationToken.None);

        var waiting = dispatch.TakeTurnAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Assert.Equal((1, 1), (pressed, dispatch.Waiting));

        var b = Slot(concurrency: 1);
        dispatch.Add(b);

        Assert.Same(b, await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, dispatch.Waiting);
    }

    [Fact]
    public async Task RemoveAsync_BusyContainer_TakesNoNewInputAndCompletesWhenItsInputEnds()
    {
        var dispatch = new ContainerDispatch(_time);
        var a = Slot(concurrency: 2);
        var b = Slot(concurrency: 2);
        dispatch.Add(a);
        var first = await dispatch.TakeTurnAsync(CancellationToken.None);
        dispatch.Add(b);

        var removed = dispatch.RemoveAsync(a);
        var next = await dispatch.TakeTurnAsync(CancellationToken.None);

        Assert.Same(a, first);
        Assert.Same(b, next);
        Assert.False(removed.IsCompleted);
        dispatch.EndTurn(a);
        await removed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, dispatch.Count);
    }

    [Fact]
    public async Task TakeTurnAsync_CancelledWhileWaiting_LeavesTheQueueAndTheTurnGoesToTheNext()
    {
        var dispatch = new ContainerDispatch(_time);
        var a = Slot(concurrency: 1);
        dispatch.Add(a);
        await dispatch.TakeTurnAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var abandoned = dispatch.TakeTurnAsync(cancel.Token);
        var second = dispatch.TakeTurnAsync(CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        dispatch.EndTurn(a);

        Assert.Same(a, await second.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task TakeTurnAsync_CancelledWhileWaiting_ThrowsWithItsOwnTokenSoTheBusReturnsTheInput()
    {
        // MassTransit returns an input to the queue only for a cancellation carrying the consume token; any other
        // becomes a fault and sends the input to _error.
        var dispatch = new ContainerDispatch(_time);
        dispatch.Add(Slot(concurrency: 1));
        await dispatch.TakeTurnAsync(CancellationToken.None);
        using var consume = new CancellationTokenSource();
        var waiting = dispatch.TakeTurnAsync(consume.Token);

        await consume.CancelAsync();

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(consume.Token, thrown.CancellationToken);
    }

    [Fact]
    public void Counts_InputsAdmittedButOnTheStoreOnly_AreNeitherBusyNorWaiting()
    {
        // An input in its lookup before running, or its outcome write after, is in flight but needs no container.
        var dispatch = new ContainerDispatch(_time);
        dispatch.Add(Slot(concurrency: 2));
        for (var i = 0; i < 50; i++)
        {
            dispatch.BeginInput();
        }

        Assert.Equal((50, 0, 0), (dispatch.InFlight, dispatch.Busy, dispatch.Waiting));
    }

    [Fact]
    public async Task Close_InputsWaitingForATurn_AreGivenBackWhileRunningInputsAndChunkInputsKeepTheirTurns()
    {
        var dispatch = new ContainerDispatch(_time);
        var a = Slot(concurrency: 2);
        dispatch.Add(a);
        await dispatch.TakeTurnAsync(CancellationToken.None);
        await dispatch.TakeTurnAsync(CancellationToken.None);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var waiting = new[] { dispatch.TakeTurnAsync(first.Cancel, first.Token), dispatch.TakeTurnAsync(second.Cancel, second.Token) };
        var chunkInput = dispatch.TakeTurnAsync(giveBack: null, CancellationToken.None);
        Assert.Equal(3, dispatch.Waiting);

        dispatch.Close();

        // Given back through their own consume tokens: the only cancellation the bus returns to the queue.
        Assert.Equal(first.Token, (await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting[0])).CancellationToken);
        Assert.Equal(second.Token, (await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting[1])).CancellationToken);
        Assert.Equal((2, 1), (dispatch.Busy, dispatch.Waiting));
        using var later = new CancellationTokenSource();
        Assert.Equal(later.Token, (await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dispatch.TakeTurnAsync(later.Cancel, later.Token))).CancellationToken);

        // An input of a chunk already admitted still gets the next turn.
        dispatch.EndTurn(a);
        Assert.Same(a, await chunkInput.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task EnterChunkAsync_AtTheLimit_WaitsForAPlaceAndIsGivenBackWhenThePoolCloses()
    {
        var dispatch = new ContainerDispatch(_time, chunkLimit: 1);
        await dispatch.EnterChunkAsync(null, CancellationToken.None);
        var next = dispatch.EnterChunkAsync(null, CancellationToken.None);
        Assert.False(next.IsCompleted);

        dispatch.LeaveChunk();
        await next.WaitAsync(TimeSpan.FromSeconds(10));

        using var consume = new CancellationTokenSource();
        var waiting = dispatch.EnterChunkAsync(consume.Cancel, consume.Token);
        Assert.False(waiting.IsCompleted);
        dispatch.Close();
        Assert.Equal(consume.Token, (await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting)).CancellationToken);
    }

    private ContainerSlot Slot(int concurrency) =>
        new("app.fn", () => new Container("app.fn", null, ParameterSet.Empty, _time, NullLogger.Instance), _time, TimeSpan.FromSeconds(5), concurrency);
}
