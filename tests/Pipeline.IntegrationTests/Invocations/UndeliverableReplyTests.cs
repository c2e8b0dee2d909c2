using System.Text.Json;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Invocations;

/// <summary>
/// One bad publisher never stops a pool: an input whose reply cannot be delivered (its reply exchange exists with other
/// flags, so RabbitMQ refuses the declare) runs once, lands in <c>_error</c> saying <c>reply-undeliverable</c>, and the
/// other callers of the same pool, sending at the same time, each get their reply with every input run once.
/// </summary>
[Collection(ServersGroupB.Name)]
public sealed class UndeliverableReplyTests(Servers servers) : IDisposable
{
    private const int Good = 30;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task RawEnvelope_ReplyExchangeOfOtherFlags_RunsOnceDeadLetteredAndOtherCallersServedOnce()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await raw.DeclarePoolAsync("itest.echo", "itest", "function", "echo", "{}", owned: false);
        await raw.AnnounceAsync("""{"queue":"itest.echo","app":"itest","function":"echo"}""");

        // Durable, while "?temporary=true" asks for a transient auto-delete exchange: every declare of it is refused (406).
        var poisoned = $"itest-poisoned-{_run}";
        await raw.DeclareExchangeAsync(poisoned, durable: true, autoDelete: false);
        var badTag = $"bad-{_run}";
        var badCall = NewCallId();
        var good = Enumerable.Range(0, Good).Select(i => (CallId: NewCallId(), Tag: $"good-{_run}-{i}")).ToList();

        // The bad input goes in the middle of the good ones, so that they are in flight on the same channel.
        for (var i = 0; i < Good; i++)
        {
            if (i == Good / 2)
            {
                await raw.PublishAsync("itest.echo", raw.Invocation(Echo(badCall, badTag), raw.AddressOf(poisoned)));
            }

            await raw.PublishAsync("itest.echo", raw.Invocation(Echo(good[i].CallId, good[i].Tag)));
        }

        var replies = new Dictionary<string, JsonElement>();
        while (replies.Count < Good)
        {
            var message = (await raw.ReadReplyAsync(Patience)).GetProperty("message");
            replies[message.GetProperty("callId").GetString()!] = message;
        }

        Assert.All(good, g => Assert.Equal(g.Tag, replies[g.CallId].GetProperty("value").GetProperty("tag").GetString()));
        var (body, headers) = await raw.TakeAsync("itest.echo_error", badCall, Patience);
        Assert.Contains(badTag, body, StringComparison.Ordinal);
        Assert.Equal("Succeeded", headers["pipeline-status"]);
        Assert.StartsWith("reply-undeliverable:", headers["pipeline-reason"], StringComparison.Ordinal);
        Assert.Contains(poisoned, headers["pipeline-reason"], StringComparison.Ordinal);

        // Each input ran exactly once: nothing was redelivered by a closed channel.
        Assert.Equal(1, _events.Count("echo", badTag));
        Assert.All(good, g => Assert.Equal(1, _events.Count("echo", g.Tag)));

        // And the pool still serves.
        var next = NewCallId();
        await raw.PublishAsync("itest.echo", raw.Invocation(Echo(next, $"next-{_run}")));
        Assert.Equal(next, (await raw.ReadReplyAsync(Patience)).GetProperty("message").GetProperty("callId").GetString());
    }

    public void Dispose() => _events.Dispose();

    private static string Echo(string callId, string tag) => $$"""{"callId":"{{callId}}","app":"itest","function":"echo","args":["{{tag}}"]}""";

    private static string NewCallId() => $"fc-{Guid.NewGuid():N}";
}
