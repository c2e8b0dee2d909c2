using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Invocations;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;

namespace Pipeline.Consumers.Tests.Invocations;

/// <summary>
/// A class input runs only on the container of its own parameter set. The handler remembers which pool a parameter
/// text belongs to; that must never let another pool's input, or a bad one, through.
/// </summary>
public sealed class ClassPoolCheckTests
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(HandlerModel)]);
    private readonly FakeTimeProvider _time = new();
    private readonly InvocationHandler _handler;

    public ClassPoolCheckTests()
    {
        _handler = new InvocationHandler(Registry, new CallCancellations(_time), _time, NullLogger<InvocationHandler>.Instance);
    }

    [Fact]
    public async Task HandleAsync_RepeatedInputs_OwnParametersRunAnotherPoolsAndMissingOnesAreRejectedEveryTime()
    {
        var cls = Registry.FindClass("handler", "handler-model")!;
        var llama = cls.Schema.BindJson(Json("""{"name":"llama"}"""));
        var container = new Container(QueueNames.ForClass("handler", "handler-model", llama), cls, llama, _time, NullLogger.Instance);
        await container.StartAsync(CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("llama greets ann", (await GreetAsync(container, """{"name":"llama"}""")).Value!.Value.GetString());
            Assert.Equal("llama greets ann", (await GreetAsync(container, """{ "name" : "llama" }""")).Value!.Value.GetString());

            var other = await GreetAsync(container, """{"name":"mistral"}""");
            Assert.Equal(InvocationStatus.Rejected, other.Status);
            Assert.Contains("belongs to pool", other.Error!.Message, StringComparison.Ordinal);

            var missing = await GreetAsync(container, "{}");
            Assert.Equal(InvocationStatus.Rejected, missing.Status);
            Assert.Contains("'name'", missing.Error!.Message, StringComparison.Ordinal);
        }
    }

    private async Task<InvocationCompleted> GreetAsync(Container container, string parameters) => (await _handler.HandleAsync(container, new RunInvocation
    {
        CallId = "fc-" + Guid.NewGuid().ToString("N"),
        App = "handler",
        Class = "handler-model",
        Function = "greet",
        Parameters = Json(parameters),
        Args = Json("""["ann"]"""),
    }, CancellationToken.None)).Outcome;

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
