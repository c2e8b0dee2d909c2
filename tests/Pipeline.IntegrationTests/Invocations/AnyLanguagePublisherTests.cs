using System.Text.Json;
using Npgsql;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.IntegrationTests.Invocations;

/// <summary>
/// docs/wire-format.md, proven: a publisher that has only an AMQP client and JSON text it writes itself (no Pipeline
/// client, no MassTransit) declares a pool, announces it, sends an input and reads the reply from a real worker host.
/// </summary>
[Collection(ServersGroupB.Name)]
public sealed class AnyLanguagePublisherTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Only a notice can start a pool within the test's patience: the hosts' own reconcile is 10 minutes away.
    private static readonly Dictionary<string, string> NoticesOnly = new() { ["Pipeline__Worker__ReconcileInterval"] = "00:10:00" };

    private readonly EventLog _events = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task RawEnvelope_FunctionPool_RepliesSucceededWithTheValue()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, NoticesOnly);
        var callId = $"fc-{Guid.NewGuid():N}";

        // Shared with other tests (a function has one pool), so it is declared but not deleted.
        await raw.DeclarePoolAsync("itest.echo", "itest", "function", "echo", "{}", owned: false);
        await raw.AnnounceAsync("""{"queue":"itest.echo","app":"itest","function":"echo"}""");
        await raw.PublishAsync("itest.echo", $$"""
            {
              "messageId": "{{Guid.NewGuid()}}",
              "messageType": ["urn:message:Pipeline.Messages.Invocations:RunInvocation"],
              "responseAddress": "{{raw.ResponseAddress}}",
              "message": {
                "callId": "{{callId}}",
                "app": "itest",
                "class": null,
                "function": "echo",
                "args": ["from-python"],
                "kwargs": null,
                "storeResult": false,
                "attempt": 1
              }
            }
            """);
        var reply = await raw.ReadReplyAsync(Patience);

        Assert.Equal("urn:message:Pipeline.Messages.Invocations:InvocationCompleted", reply.GetProperty("messageType")[0].GetString());
        var message = reply.GetProperty("message");
        Assert.Equal(callId, message.GetProperty("callId").GetString());

        // InvocationStatus travels as a number (MassTransit's JSON has no string enum converter): 0 is Succeeded.
        Assert.Equal(JsonValueKind.Number, message.GetProperty("status").ValueKind);
        Assert.Equal(0, message.GetProperty("status").GetInt32());
        Assert.Equal("from-python", message.GetProperty("value").GetProperty("tag").GetString());
        Assert.Equal(worker.Pid, message.GetProperty("value").GetProperty("pid").GetInt32());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("error").ValueKind);
        Assert.Equal(1, message.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task RawEnvelope_ClassPoolWithParameters_RepliesFromThePoolOfThoseParameters()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, NoticesOnly);
        var name = $"py-{_run}";
        var callId = $"fc-{Guid.NewGuid():N}";

        // The test computes the expected name with the .NET implementation; a Python publisher uses
        // docs/reference/pipeline_params.py. Everything sent below is JSON text written by hand.
        var queue = QueueNames.ForClass("itest", "model", ParameterSet.Create([new("name", ParameterValue.FromString(name)), new("size", ParameterValue.FromInt(1))]));
        await raw.DeclarePoolAsync(queue, "itest", "class", "model", $$"""{"name":"{{name}}","size":1}""", owned: true);
        await raw.AnnounceAsync($$"""{"queue":"{{queue}}","app":"itest","class":"model","parameters":{"name":"{{name}}"} }""");
        await raw.PublishAsync(queue, $$"""
            {
              "messageType": ["urn:message:Pipeline.Messages.Invocations:RunInvocation"],
              "responseAddress": "{{raw.ResponseAddress}}",
              "message": {
                "callId": "{{callId}}",
                "app": "itest",
                "class": "model",
                "function": "generate",
                "parameters": {"name": "{{name}}"},
                "kwargs": {"prompt": "from-python"}
              }
            }
            """);
        var reply = await raw.ReadReplyAsync(Patience);

        var message = reply.GetProperty("message");
        Assert.Equal(callId, message.GetProperty("callId").GetString());
        Assert.Equal(0, message.GetProperty("status").GetInt32());
        Assert.Equal($"{name}:1:from-python", message.GetProperty("value").GetProperty("tag").GetString());
        Assert.Equal(1, _events.Count("enter", $"model/{name}/1"));
    }

    [Fact]
    public async Task RawEnvelope_StoreResultWithoutResponseAddress_GetAsyncByCallIdReadsTheResult()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, NoticesOnly);
        await using var reader = await TestClient.StartAsync(servers);
        var callId = $"fc-{Guid.NewGuid():N}";
        var tag = $"spawned-{_run}";

        await raw.DeclarePoolAsync("itest.echo", "itest", "function", "echo", "{}", owned: false);
        await raw.AnnounceAsync("""{"queue":"itest.echo","app":"itest","function":"echo"}""");
        await raw.PublishAsync("itest.echo", $$"""
            {
              "messageType": ["urn:message:Pipeline.Messages.Invocations:RunInvocation"],
              "message": {"callId": "{{callId}}", "app": "itest", "function": "echo", "args": ["{{tag}}"], "storeResult": true}
            }
            """);

        // Nobody registered the call as pending: it is unknown until a host takes the input, then pending until it is done.
        Reply? reply = null;
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    reply = await reader.Client.Call(callId).GetAsync<Reply>(TimeSpan.Zero);
                    return true;
                }
                catch (Exception e) when (e is OutputExpiredException or TimeoutException)
                {
                    return false;
                }
            },
            Patience,
            "the host recorded the spawned call");
        Assert.Equal(tag, reply!.Tag);

        // What a service in another language reads instead: the row in <schema>.calls.
        await using var connection = new NpgsqlConnection(servers.Postgres);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand($"select status, value::text from \"{servers.ResultsSchema}\".calls where call_id = $1", connection)
        {
            Parameters = { new NpgsqlParameter { Value = callId } },
        };
        await using var row = await select.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal("Succeeded", row.GetString(0));
        using var value = JsonDocument.Parse(row.GetString(1));
        Assert.Equal(tag, value.RootElement.GetProperty("tag").GetString());
    }

    [Fact]
    public async Task RawEnvelope_NullStoreResultAndAttempt_ReadAsAbsentAndReplied()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, NoticesOnly);
        await EchoPoolAsync(raw);
        var callId = $"fc-{Guid.NewGuid():N}";

        await raw.PublishAsync("itest.echo", raw.Invocation($$"""{"callId":"{{callId}}","app":"itest","class":null,"function":"echo","parameters":null,"args":["nulls-{{_run}}"],"kwargs":null,"idempotencyKey":null,"storeResult":null,"attempt":null,"sentAt":null}"""));

        var message = (await raw.ReadReplyAsync(Patience)).GetProperty("message");
        Assert.Equal(callId, message.GetProperty("callId").GetString());
        Assert.Equal(0, message.GetProperty("status").GetInt32());
        Assert.Equal(1, message.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task RawEnvelope_DuplicateKeyFirstCallNotStored_DuplicateAnswersUnderItsOwnIdWithTheFirstOutcome()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, NoticesOnly);
        await EchoPoolAsync(raw);
        var (first, duplicate, key, tag) = ($"fc-{Guid.NewGuid():N}", $"fc-{Guid.NewGuid():N}", $"key-{_run}", $"first-{_run}");

        await raw.PublishAsync("itest.echo", raw.Invocation($$"""{"callId":"{{first}}","app":"itest","function":"echo","args":["{{tag}}"],"idempotencyKey":"{{key}}"}"""));
        Assert.Equal(first, (await raw.ReadReplyAsync(Patience)).GetProperty("message").GetProperty("callId").GetString());
        await raw.PublishAsync("itest.echo", raw.Invocation($$"""{"callId":"{{duplicate}}","app":"itest","function":"echo","args":["other-{{_run}}"],"idempotencyKey":"{{key}}","storeResult":true}"""));

        var message = (await raw.ReadReplyAsync(Patience)).GetProperty("message");
        Assert.Equal(duplicate, message.GetProperty("callId").GetString());
        Assert.Equal(0, message.GetProperty("status").GetInt32());
        Assert.Equal(tag, message.GetProperty("value").GetProperty("tag").GetString());
        Assert.Equal(1, _events.Count("echo", tag));
        Assert.Equal(0, _events.Count("echo", $"other-{_run}"));
        Assert.Equal(("Succeeded", tag, null), await StoredAsync(duplicate));
    }

    [Fact]
    public async Task RawEnvelope_DuplicateKeyWhileFirstRuns_DuplicateWaitsThenAnswersUnderItsOwnId()
    {
        await using var raw = await RawAmqpClient.ConnectAsync(servers);
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, NoticesOnly);
        await raw.DeclarePoolAsync("itest.gated", "itest", "function", "gated", "{}", owned: false);
        await raw.AnnounceAsync("""{"queue":"itest.gated","app":"itest","function":"gated"}""");
        var (first, duplicate, key, tag) = ($"fc-{Guid.NewGuid():N}", $"fc-{Guid.NewGuid():N}", $"key-{_run}", $"gated-{_run}");

        await raw.PublishAsync("itest.gated", raw.Invocation($$"""{"callId":"{{first}}","app":"itest","function":"gated","args":["{{tag}}"],"idempotencyKey":"{{key}}","storeResult":true}"""));
        await Eventually.TrueAsync(() => Task.FromResult(_events.Count("gated-start", tag) == 1), Patience, "the first call started");
        await raw.PublishAsync("itest.gated", raw.Invocation($$"""{"callId":"{{duplicate}}","app":"itest","function":"gated","args":["{{tag}}"],"idempotencyKey":"{{key}}","storeResult":true}"""));

        // The duplicate is not answered while the first runs ("has not finished" would be a wrong answer)...
        await Eventually.TrueAsync(async () => await StoredAsync(duplicate) is ("pending", null, null), Patience, "the duplicate is registered as pending");
        Assert.Equal(0u, await raw.CountAsync(raw.ReplyQueue));
        servers.OpenGate(tag);

        // ...and then both are, each under its own id, with the one outcome.
        var replies = new Dictionary<string, JsonElement>();
        while (replies.Count < 2)
        {
            var message = (await raw.ReadReplyAsync(Patience)).GetProperty("message");
            replies[message.GetProperty("callId").GetString()!] = message;
        }

        Assert.Equal(tag, replies[first].GetProperty("value").GetProperty("tag").GetString());
        Assert.Equal(tag, replies[duplicate].GetProperty("value").GetProperty("tag").GetString());
        Assert.Equal(1, _events.Count("gated-start", tag));
        Assert.Equal(("Succeeded", tag, null), await StoredAsync(duplicate));
    }

    [Fact]
    public void WireFormatDoc_PythonExampleQueue_IsTheQueueOfTheseParameters()
    {
        // docs/wire-format.md names this queue for {"name": "py", "size": 1}; the Python reference computes the same.
        var queue = QueueNames.ForClass("itest", "model", ParameterSet.Create([new("name", ParameterValue.FromString("py")), new("size", ParameterValue.FromInt(1))]));

        Assert.Equal("itest.model.p-8f70b383d1a7b07c", queue);
        Assert.Contains(queue, File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "wire-format.md")), StringComparison.Ordinal);
    }

    public void Dispose() => _events.Dispose();

    private static async Task EchoPoolAsync(RawAmqpClient raw)
    {
        // Shared with other tests (a function has one pool), so it is declared but not deleted.
        await raw.DeclarePoolAsync("itest.echo", "itest", "function", "echo", "{}", owned: false);
        await raw.AnnounceAsync("""{"queue":"itest.echo","app":"itest","function":"echo"}""");
    }

    // A call's row as another language reads it: status, the value's tag, and the duplicate_of column.
    private async Task<(string? Status, string? Tag, string? DuplicateOf)> StoredAsync(string callId)
    {
        await using var connection = new NpgsqlConnection(servers.Postgres);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand($"select status, value::text, duplicate_of from \"{servers.ResultsSchema}\".calls where call_id = $1", connection)
        {
            Parameters = { new NpgsqlParameter { Value = callId } },
        };
        await using var row = await select.ExecuteReaderAsync();
        if (!await row.ReadAsync())
        {
            return (null, null, null);
        }

        string? tag = null;
        if (!row.IsDBNull(1))
        {
            using var value = JsonDocument.Parse(row.GetString(1));
            tag = value.RootElement.GetProperty("tag").GetString();
        }

        return (row.GetString(0), tag, row.IsDBNull(2) ? null : row.GetString(2));
    }
}
