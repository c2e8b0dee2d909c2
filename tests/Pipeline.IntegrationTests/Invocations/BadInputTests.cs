using System.Text.Json;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.IntegrationTests.Invocations;

/// <summary>
/// Input a pool cannot run, sent over RabbitMQ to a real worker process: the caller (where there is one) learns what is
/// wrong, the input lands in the pool's <c>_error</c> queue with the reason in its headers, and the host serves the
/// next good input.
/// </summary>
[Collection(ServersGroupB.Name)]
public sealed class BadInputTests(Servers servers) : IDisposable
{
    private const int Succeeded = 0;
    private const int Rejected = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    private string Name => $"bad-{_run}";

    [Fact]
    public async Task RawEnvelope_UnknownFunction_RejectedToCallerAndErrorQueueThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await raw.DeclarePoolAsync("itest.echo", "itest", "function", "echo", "{}", owned: false);
        await raw.AnnounceAsync("""{"queue":"itest.echo","app":"itest","function":"echo"}""");
        var callId = NewCallId();

        await raw.PublishAsync("itest.echo", raw.Invocation($$"""{"callId":"{{callId}}","app":"itest","function":"no-such-function","args":["x"]}"""));

        await AssertRejectedAsync(raw, "itest.echo", callId, "has no function named 'no-such-function'");
        var next = NewCallId();
        await raw.PublishAsync("itest.echo", raw.Invocation($$"""{"callId":"{{next}}","app":"itest","function":"echo","args":["{{_run}}"]}"""));
        AssertSucceeded(await raw.ReadReplyAsync(Patience), next, _run);
    }

    [Fact]
    public async Task Client_MistypedArgument_RemoteExceptionNamesTheArgumentThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var model = Model(session, raw);

        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => model.Method("slow").RemoteAsync<Reply>(["x", "seven"]).WaitAsync(Patience));

        Assert.Equal(InvocationStatus.Rejected, error.Status);
        Assert.Contains("'milliseconds'", error.RemoteMessage, StringComparison.Ordinal);
        Assert.Contains("int (a whole number from -2147483648 to 2147483647)", error.RemoteMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Int32", error.RemoteMessage, StringComparison.Ordinal);
        await AssertDeadLetteredAsync(raw, model.Queue, error.CallId!, "'milliseconds'");
        await AssertClientServesNextAsync(model);
    }

    [Fact]
    public async Task Client_MissingArgument_RemoteExceptionNamesTheArgumentThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var model = Model(session, raw);

        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => model.Method("slow").RemoteAsync<Reply>(["x"]).WaitAsync(Patience));

        Assert.Equal(InvocationStatus.Rejected, error.Status);
        Assert.Contains("missing argument 'milliseconds'", error.RemoteMessage, StringComparison.Ordinal);
        await AssertDeadLetteredAsync(raw, model.Queue, error.CallId!, "missing argument 'milliseconds'");
        await AssertClientServesNextAsync(model);
    }

    [Fact]
    public async Task Client_ExtraArgument_RemoteExceptionSaysHowManyThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var model = Model(session, raw);

        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => model.Method("generate").RemoteAsync<Reply>(["x", "extra"]).WaitAsync(Patience));

        Assert.Equal(InvocationStatus.Rejected, error.Status);
        Assert.Contains("takes 1 argument(s) (prompt) but got 2", error.RemoteMessage, StringComparison.Ordinal);
        await AssertDeadLetteredAsync(raw, model.Queue, error.CallId!, "takes 1 argument(s)");
        await AssertClientServesNextAsync(model);
    }

    [Fact]
    public async Task RawEnvelope_MissingRequiredClassParameter_RejectedToCallerAndErrorQueueThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);
        var callId = NewCallId();

        await raw.PublishAsync(queue, raw.Invocation($$"""{"callId":"{{callId}}","app":"itest","class":"model","function":"generate","parameters":{},"args":["x"]}"""));

        await AssertRejectedAsync(raw, queue, callId, "Missing required parameter 'name'");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task ParametersOver16KiB_ClientAndRawEnvelope_ClientRefusesHostRejectsThenServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var tooBig = new string('x', 17_000);

        var refused = Assert.Throws<ParameterException>(() => session.Client.Cls("itest", "model").With(new { name = tooBig }));
        Assert.Contains("16 KiB", refused.Message, StringComparison.Ordinal);

        var queue = await ModelPoolAsync(raw);
        var callId = NewCallId();
        await raw.PublishAsync(queue, raw.Invocation($$"""{"callId":"{{callId}}","app":"itest","class":"model","function":"generate","parameters":{"name":"{{tooBig}}"},"args":["x"]}"""));

        await AssertRejectedAsync(raw, queue, callId, "over the 16 KiB (16384 bytes) limit");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawEnvelope_UnknownApp_RejectedToCallerAndErrorQueueThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);
        var callId = NewCallId();

        await raw.PublishAsync(queue, raw.Invocation($$"""{"callId":"{{callId}}","app":"no-such-app","class":"model","function":"generate","parameters":{"name":"{{Name}}"},"args":["x"]}"""));

        await AssertRejectedAsync(raw, queue, callId, "No app named 'no-such-app'");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawEnvelope_AppNull_RejectedToCallerAndErrorQueueThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);
        var callId = NewCallId();

        await raw.PublishAsync(queue, raw.Invocation($$"""{"callId":"{{callId}}","app":null,"class":"model","function":"generate","parameters":{"name":"{{Name}}"},"args":["x"]}"""));

        await AssertRejectedAsync(raw, queue, callId, "names no app");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawBody_MalformedJson_NoReplyAndErrorQueueWithMassTransitFaultHeadersThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);

        await raw.PublishAsync(queue, """{"messageId": """);

        var (body, headers) = await raw.TakeAsync(queue + "_error", marker: null, Patience);
        Assert.Equal("""{"messageId": """, body);
        AssertFault(headers, "Json");
        AssertPipelineReason(headers, "The message is not JSON");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawBody_PlainJsonNotAnEnvelope_NoReplyAndErrorQueueWithMassTransitFaultHeadersThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);

        await raw.PublishAsync(queue, """{"hello":"world"}""", contentType: "application/json");

        var (body, headers) = await raw.TakeAsync(queue + "_error", marker: null, Patience);
        Assert.Equal("""{"hello":"world"}""", body);
        AssertFault(headers, exceptionType: null);
        AssertPipelineReason(headers, "no MassTransit envelope");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawEnvelope_AnotherMessageType_NoReplyAndErrorQueueAsDeadLetterThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);
        var marker = $"thing-{_run}";

        await raw.PublishAsync(queue, $$"""{"messageType":["urn:message:Other.Service:Thing"],"responseAddress":"{{raw.ResponseAddress}}","message":{"id":"{{marker}}"} }""");

        var (_, headers) = await raw.TakeAsync(queue + "_error", marker, Patience);
        Assert.Equal("dead-letter", headers["MT-Reason"]);
        AssertPipelineReason(headers, "is not an input");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawEnvelope_WithoutCallId_RejectedReplyAndErrorQueueWithPipelineReasonThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);

        // "callId" is required by RunInvocation: the bus's JSON reader refuses the message, and Pipeline still says why.
        await raw.PublishAsync(queue, raw.Invocation($$"""{"app":"itest","class":"model","function":"generate","parameters":{"name":"{{Name}}"},"args":["no-call-id"]}"""));

        var reply = (await raw.ReadReplyAsync(Patience)).GetProperty("message");
        Assert.Equal(Rejected, reply.GetProperty("status").GetInt32());
        Assert.Contains("has no call id", reply.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var (_, headers) = await raw.TakeAsync(queue + "_error", "no-call-id", Patience);
        AssertFault(headers, "Json");
        AssertPipelineReason(headers, "has no call id");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawEnvelope_CallIdNotFcHex_RejectedUnderThatIdToCallerAndErrorQueueThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);
        var callId = $"hello-{_run}";

        await raw.PublishAsync(queue, raw.Invocation($$"""{"callId":"{{callId}}","app":"itest","class":"model","function":"generate","parameters":{"name":"{{Name}}"},"args":["x"]}"""));

        await AssertRejectedAsync(raw, queue, callId, "is not fc- and 32 hex digits");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawEnvelope_MessageNull_RejectedReplyAndErrorQueueWithPipelineReasonThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);
        var marker = $"null-message-{_run}";

        await raw.PublishAsync(queue, $$"""{"messageId":"{{Guid.NewGuid()}}","messageType":["urn:message:Pipeline.Messages.Invocations:RunInvocation"],"responseAddress":"{{raw.ResponseAddress}}","headers":{"marker":"{{marker}}"},"message":null}""");

        var reply = (await raw.ReadReplyAsync(Patience)).GetProperty("message");
        Assert.Equal(Rejected, reply.GetProperty("status").GetInt32());
        Assert.Contains("\"message\" is null", reply.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var (_, headers) = await raw.TakeAsync(queue + "_error", marker, Patience);
        AssertPipelineReason(headers, "\"message\" is null");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawChunk_NoApp_EveryInputRejectedWithTheReasonAndChunkToErrorQueueThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);
        var (first, second) = (NewCallId(), NewCallId());

        await raw.PublishAsync(queue, Chunk(raw, $$"""{"class":"model","function":"generate","parameters":{"name":"{{Name}}"},"inputs":[{"callId":"{{first}}","args":["one"]},{"callId":"{{second}}","args":["two"]}]}"""));

        var outcomes = (await raw.ReadReplyAsync(Patience)).GetProperty("message").GetProperty("outcomes");
        Assert.Equal(2, outcomes.GetArrayLength());
        Assert.Equal(first, outcomes[0].GetProperty("outcome").GetProperty("callId").GetString());
        Assert.Equal(second, outcomes[1].GetProperty("outcome").GetProperty("callId").GetString());
        Assert.All(outcomes.EnumerateArray(), o => Assert.Equal(Rejected, o.GetProperty("outcome").GetProperty("status").GetInt32()));
        Assert.Contains("has no \"app\"", outcomes[0].GetProperty("outcome").GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var (_, headers) = await raw.TakeAsync(queue + "_error", first, Patience);
        AssertPipelineReason(headers, "has no \"app\"");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawChunk_NoInputsField_ToErrorQueueWithTheReasonThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);

        await raw.PublishAsync(queue, Chunk(raw, $$"""{"app":"itest","class":"model","function":"generate","parameters":{"name":"{{Name}}"},"sentAt":null}"""));

        var reply = (await raw.ReadReplyAsync(Patience)).GetProperty("message");
        Assert.Equal(0, reply.GetProperty("outcomes").GetArrayLength());
        var (_, headers) = await raw.TakeAsync(queue + "_error", Name, Patience);
        AssertPipelineReason(headers, "has no \"inputs\"");
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawChunk_NoInputs_ToErrorQueueWithTheReasonAndEmptyReplyThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);

        await raw.PublishAsync(queue, Chunk(raw, $$"""{"app":"itest","class":"model","function":"generate","parameters":{"name":"{{Name}}"},"inputs":[]}"""));

        var reply = (await raw.ReadReplyAsync(Patience)).GetProperty("message");
        Assert.Equal(0, reply.GetProperty("outcomes").GetArrayLength());
        var (body, headers) = await raw.TakeAsync(queue + "_error", Name, Patience);
        Assert.Contains("RunInvocationChunk", body, StringComparison.Ordinal);
        Assert.Equal("Rejected", headers["pipeline-status"]);
        Assert.Contains("carries no inputs", headers["pipeline-reason"], StringComparison.Ordinal);
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawChunk_MoreThanMaxInputs_EveryInputRejectedWholeChunkToErrorQueueThenHostServesNext()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);
        var inputs = string.Join(",", Enumerable.Range(0, RunInvocationChunk.MaxInputs + 1).Select(i => $$"""{"callId":"{{NewCallId()}}","args":["{{i}}"]}"""));

        await raw.PublishAsync(queue, Chunk(raw, $$"""{"app":"itest","class":"model","function":"generate","parameters":{"name":"{{Name}}"},"inputs":[{{inputs}}]}"""));

        var outcomes = (await raw.ReadReplyAsync(Patience)).GetProperty("message").GetProperty("outcomes");
        Assert.Equal(RunInvocationChunk.MaxInputs + 1, outcomes.GetArrayLength());
        Assert.All(outcomes.EnumerateArray(), o => Assert.Equal(Rejected, o.GetProperty("outcome").GetProperty("status").GetInt32()));
        Assert.Contains("more than the 1000 one chunk may", outcomes[0].GetProperty("outcome").GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var (_, headers) = await raw.TakeAsync(queue + "_error", Name, Patience);
        Assert.Contains("Split it", headers["pipeline-reason"], StringComparison.Ordinal);
        await AssertRawServesNextAsync(raw, queue);
    }

    [Fact]
    public async Task RawChunk_OneInputWithNullCallId_OnlyThatInputRejectedTheOthersRunInOrder()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        var queue = await ModelPoolAsync(raw);
        var (first, third) = (NewCallId(), NewCallId());

        await raw.PublishAsync(queue, Chunk(raw, $$"""
            {"app":"itest","class":"model","function":"generate","parameters":{"name":"{{Name}}"},
             "inputs":[{"callId":"{{first}}","args":["one"]},{"callId":null,"args":["two"]},{"callId":"{{third}}","args":["three"]}]}
            """));

        var outcomes = (await raw.ReadReplyAsync(Patience)).GetProperty("message").GetProperty("outcomes");
        Assert.Equal(3, outcomes.GetArrayLength());
        AssertSucceeded(Wrap(outcomes[0]), first, $"{Name}:1:one");
        Assert.Equal(Rejected, outcomes[1].GetProperty("outcome").GetProperty("status").GetInt32());
        Assert.Contains("Input 1 of the chunk: The input has no call id", outcomes[1].GetProperty("outcome").GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        AssertSucceeded(Wrap(outcomes[2]), third, $"{Name}:1:three");
        var (_, headers) = await raw.TakeAsync(queue + "_error", "\"two\"", Patience);
        Assert.Equal("Rejected", headers["pipeline-status"]);
        await AssertRawServesNextAsync(raw, queue);
    }

    public void Dispose() => _events.Dispose();

    // A RunInvocationChunk envelope, answered to the raw client's reply queue.
    private static string Chunk(RawAmqpClient raw, string messageJson) =>
        $$"""{"messageId":"{{Guid.NewGuid()}}","messageType":["urn:message:Pipeline.Messages.Invocations:RunInvocationChunk"],"responseAddress":"{{raw.ResponseAddress}}","message":{{messageJson}}}""";

    // A chunk outcome in the shape of a single reply envelope, for AssertSucceeded.
    private static JsonElement Wrap(JsonElement chunkOutcome) =>
        JsonDocument.Parse($$"""{"message":{{chunkOutcome.GetProperty("outcome").GetRawText()}}}""").RootElement;

    private static string NewCallId() => $"fc-{Guid.NewGuid():N}";

    private static void AssertFault(IReadOnlyDictionary<string, string> headers, string? exceptionType)
    {
        Assert.Equal("fault", headers["MT-Reason"]);
        Assert.NotEmpty(headers["MT-Fault-Message"]);
        Assert.Contains(exceptionType ?? "Exception", headers["MT-Fault-ExceptionType"], StringComparison.Ordinal);
    }

    // Every dead letter, whatever put it there, says why in Pipeline's headers.
    private static void AssertPipelineReason(IReadOnlyDictionary<string, string> headers, string reason)
    {
        Assert.Equal("Rejected", headers["pipeline-status"]);
        Assert.Contains(reason, headers["pipeline-reason"], StringComparison.Ordinal);
        Assert.NotEmpty(headers["pipeline-error-type"]);
    }

    private static void AssertSucceeded(JsonElement reply, string callId, string tag)
    {
        // The first reply in the queue: an earlier bad input, served first by the one container, sent none.
        var message = reply.GetProperty("message");
        Assert.Equal(callId, message.GetProperty("callId").GetString());
        Assert.Equal(Succeeded, message.GetProperty("status").GetInt32());
        Assert.Equal(tag, message.GetProperty("value").GetProperty("tag").GetString());
    }

    private static async Task AssertRejectedAsync(RawAmqpClient raw, string queue, string callId, string reason)
    {
        var message = (await raw.ReadReplyAsync(Patience)).GetProperty("message");
        Assert.Equal(callId, message.GetProperty("callId").GetString());
        Assert.Equal(Rejected, message.GetProperty("status").GetInt32());
        Assert.Contains(reason, message.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertDeadLetteredAsync(raw, queue, callId, reason);
    }

    private static async Task AssertDeadLetteredAsync(RawAmqpClient raw, string queue, string callId, string reason)
    {
        var (body, headers) = await raw.TakeAsync(queue + "_error", callId, Patience);
        Assert.Equal("Rejected", headers["pipeline-status"]);
        Assert.Contains(reason, headers["pipeline-reason"], StringComparison.Ordinal);
        Assert.NotEmpty(headers["pipeline-error-type"]);
        Assert.Contains("urn:message:Pipeline.Messages.Invocations:RunInvocation", body, StringComparison.Ordinal);
    }

    private ClsInstance Model(PipelineConnection session, RawAmqpClient raw)
    {
        var model = session.Client.Cls("itest", "model").With(new { name = Name });
        raw.Own(model.Queue);
        return model;
    }

    private async Task AssertClientServesNextAsync(ClsInstance model)
    {
        var next = await model.Method("generate").RemoteAsync<Reply>(["next"]).WaitAsync(Patience);
        Assert.Equal($"{Name}:1:next", next.Tag);
    }

    // The class pool itest.model for name = Name (size 1), declared and announced as docs/wire-format.md says.
    private async Task<string> ModelPoolAsync(RawAmqpClient raw)
    {
        var queue = QueueNames.ForClass("itest", "model", ParameterSet.Create([new("name", ParameterValue.FromString(Name)), new("size", ParameterValue.FromInt(1))]));
        await raw.DeclarePoolAsync(queue, "itest", "class", "model", $$"""{"name":"{{Name}}","size":1}""", owned: true);
        await raw.AnnounceAsync($$"""{"queue":"{{queue}}","app":"itest","class":"model","parameters":{"name":"{{Name}}"} }""");
        return queue;
    }

    private async Task AssertRawServesNextAsync(RawAmqpClient raw, string queue)
    {
        var callId = NewCallId();
        await raw.PublishAsync(queue, raw.Invocation($$"""{"callId":"{{callId}}","app":"itest","class":"model","function":"generate","parameters":{"name":"{{Name}}"},"args":["next"]}"""));
        AssertSucceeded(await raw.ReadReplyAsync(Patience), callId, $"{Name}:1:next");
    }
}
