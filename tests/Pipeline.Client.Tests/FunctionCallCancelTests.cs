using Microsoft.Extensions.Time.Testing;
using Pipeline.Client.Targets;
using Pipeline.Messages.Invocations;
using Pipeline.Results;

namespace Pipeline.Client.Tests;

/// <summary>A cancel tells the hosts whether to terminate the container running the call (Modal's terminate_containers).</summary>
public sealed class FunctionCallCancelTests
{
    private readonly FakeTransport _transport = new();
    private readonly FakeTimeProvider _time = new();
    private readonly PipelineClient _client;

    public FunctionCallCancelTests()
    {
        _client = new PipelineClient(_transport, new ManifestCatalog([TestApps.Inference]), new InMemoryResultStore(_time), _time);
    }

    [Fact]
    public async Task CancelAsync_TerminateContainers_PublishesTheCancelWithTheFlagAndMarksTheCallCancelled()
    {
        var call = await _client.Function("inference", "square").SpawnAsync([3]);

        Assert.True(await call.CancelAsync(terminateContainers: true));

        var cancel = Assert.Single(_transport.Cancelled);
        Assert.Equal((call.Id, true), (cancel.CallId, cancel.TerminateContainers));
        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => call.GetAsync<int>(TimeSpan.Zero));
        Assert.Equal(InvocationStatus.Cancelled, error.Status);
    }

    [Fact]
    public async Task CancelAsync_WithoutTheFlag_LeavesContainersRunning()
    {
        var call = await _client.Function("inference", "square").SpawnAsync([3]);

        Assert.True(await call.CancelAsync());

        Assert.False(Assert.Single(_transport.Cancelled).TerminateContainers);
    }
}
