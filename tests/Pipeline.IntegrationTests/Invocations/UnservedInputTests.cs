using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Invocations;

/// <summary>
/// Input nobody can ever serve does not wait in silence: a pool queue for a function the app does not have (created by
/// a publisher, announced or not) is taken by a host serving that app, and each input is rejected with the reason.
/// </summary>
[Collection(ServersGroupB.Name)]
public sealed class UnservedInputTests(Servers servers) : IDisposable
{
    private const int Rejected = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task RawEnvelope_UnknownFunctionPoolOfAServedAppWithoutNotice_RejectedToCallerAndErrorQueue()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var function = $"nope-{_run}";
        var queue = $"itest.{function}";
        await raw.DeclarePoolAsync(queue, "itest", "function", function, "{}", owned: true);
        var callId = $"fc-{Guid.NewGuid():N}";

        // No notice: the host finds the queue with input at its reconcile, as it finds any pool.
        await raw.PublishAsync(queue, raw.Invocation($$"""{"callId":"{{callId}}","app":"itest","function":"{{function}}","args":["x"]}"""));

        var message = (await raw.ReadReplyAsync(Patience)).GetProperty("message");
        Assert.Equal(callId, message.GetProperty("callId").GetString());
        Assert.Equal(Rejected, message.GetProperty("status").GetInt32());
        Assert.Contains($"has no function named '{function}'", message.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var (_, headers) = await raw.TakeAsync(queue + "_error", callId, Patience);
        Assert.Equal("Rejected", headers["pipeline-status"]);
        Assert.Contains($"has no function named '{function}'", headers["pipeline-reason"], StringComparison.Ordinal);
        Assert.Equal(0u, await raw.CountAsync(queue));
    }

    public void Dispose() => _events.Dispose();
}
