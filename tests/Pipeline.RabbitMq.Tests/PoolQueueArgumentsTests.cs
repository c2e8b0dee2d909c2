using System.Text;
using System.Text.Json;
using Pipeline.Messages.Invocations;

namespace Pipeline.RabbitMq.Tests;

public sealed class PoolQueueArgumentsTests
{
    private static readonly RabbitMqOptions Classic = new();
    private static readonly RabbitMqOptions Quorum = new() { QueueType = RabbitMqQueueType.Quorum, DeliveryLimit = 7 };

    private static PoolDemanded FunctionPool => new() { Queue = "inference.nightly-report", App = "inference", Function = "nightly-report" };

    private static PoolDemanded ClassPool => new()
    {
        Queue = "inference.model.p-3fa2c1d4e5b6a7c8",
        App = "inference",
        Class = "Model",
        Parameters = JsonDocument.Parse("""{ "name": "llama-é", "size": 7, "fast": true }""").RootElement,
    };

    [Fact]
    public void For_Function_DescribesThePoolWithEmptyParameters()
    {
        var arguments = PoolQueueArguments.For(FunctionPool, Classic);

        Assert.Equal(
            new Dictionary<string, object?>
            {
                ["x-pipeline-app"] = "inference",
                ["x-pipeline-kind"] = "function",
                ["x-pipeline-target"] = "nightly-report",
                ["x-pipeline-parameters"] = "{}",
            },
            arguments);
    }

    [Fact]
    public void For_ClassOnQuorum_AddsCompactParametersDeliveryLimitAndDeadLetterToErrorQueue()
    {
        var arguments = PoolQueueArguments.For(ClassPool, Quorum);

        Assert.Equal("class", arguments["x-pipeline-kind"]);
        Assert.Equal("Model", arguments["x-pipeline-target"]);
        Assert.Equal("""{"name":"llama-é","size":7,"fast":true}""", arguments["x-pipeline-parameters"]);
        Assert.Equal(("llama-é", 7L, true), (arguments["x-pipeline-param.name"], arguments["x-pipeline-param.size"], arguments["x-pipeline-param.fast"]));
        Assert.Equal("quorum", arguments["x-queue-type"]);
        Assert.Equal(7, arguments["x-delivery-limit"]);
        Assert.Equal("", arguments["x-dead-letter-exchange"]);
        Assert.Equal("inference.model.p-3fa2c1d4e5b6a7c8_error", arguments["x-dead-letter-routing-key"]);
        Assert.DoesNotContain("x-expires", arguments.Keys);
    }

    [Fact]
    public void For_NeitherOrBothTargets_Throws()
    {
        Assert.Throws<ArgumentException>(() => PoolQueueArguments.For(new PoolDemanded { Queue = "a.b", App = "a" }, Classic));
        Assert.Throws<ArgumentException>(() => PoolQueueArguments.For(FunctionPool with { Class = "Model" }, Classic));
    }

    [Fact]
    public void ForErrorQueue_Quorum_HasOnlyTheQueueType()
    {
        Assert.Empty(PoolQueueArguments.ForErrorQueue(Classic));
        Assert.Equal(new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, PoolQueueArguments.ForErrorQueue(Quorum));
    }

    [Fact]
    public void TryRead_FunctionArguments_RoundTrips()
    {
        var read = PoolQueueArguments.TryRead(FunctionPool.Queue, AsStrings(PoolQueueArguments.For(FunctionPool, Quorum)));

        Assert.Equal(FunctionPool, read);
    }

    [Fact]
    public void TryRead_ClassArgumentsAsBytes_RoundTrips()
    {
        // RabbitMQ.Client hands AMQP long strings back as byte[].
        var read = PoolQueueArguments.TryRead(ClassPool.Queue, AsBytes(PoolQueueArguments.For(ClassPool, Quorum)));

        Assert.NotNull(read);
        Assert.Equal((ClassPool.Queue, ClassPool.App, ClassPool.Class, (string?)null), (read.Queue, read.App, read.Class, read.Function));
        Assert.Equal("""{"name":"llama-é","size":7,"fast":true}""", read.Parameters!.Value.GetRawText());
    }

    [Fact]
    public void TryRead_ClassWithoutParameters_GivesEmptyObject()
    {
        var pool = new PoolDemanded { Queue = "inference.model", App = "inference", Class = "Model" };

        var read = PoolQueueArguments.TryRead(pool.Queue, AsStrings(PoolQueueArguments.For(pool, Classic)));

        Assert.Equal("{}", read!.Parameters!.Value.GetRawText());
    }

    [Fact]
    public void TryRead_NoPipelineApp_IsNull()
    {
        Assert.Null(PoolQueueArguments.TryRead("orders", new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }));
    }

    [Fact]
    public void TryRead_ErrorQueueWithCopiedArguments_IsNull()
    {
        // MassTransit copies an endpoint's queue arguments to its _error and _skipped queues.
        var arguments = AsStrings(PoolQueueArguments.For(FunctionPool, Classic));

        Assert.Null(PoolQueueArguments.TryRead(FunctionPool.Queue + "_error", arguments));
        Assert.Null(PoolQueueArguments.TryRead(FunctionPool.Queue + "_skipped", arguments));
    }

    [Fact]
    public void TryRead_MalformedArguments_IsNull()
    {
        var arguments = new Dictionary<string, object?>(AsStrings(PoolQueueArguments.For(ClassPool, Classic)));

        arguments["x-pipeline-parameters"] = "{not json";
        Assert.Null(PoolQueueArguments.TryRead(ClassPool.Queue, arguments));

        arguments["x-pipeline-parameters"] = "[1]";
        Assert.Null(PoolQueueArguments.TryRead(ClassPool.Queue, arguments));

        arguments["x-pipeline-kind"] = "actor";
        Assert.Null(PoolQueueArguments.TryRead(ClassPool.Queue, arguments));
    }

    private static Dictionary<string, object?> AsStrings(IDictionary<string, object?> arguments) => new(arguments);

    private static Dictionary<string, object?> AsBytes(IDictionary<string, object?> arguments) =>
        arguments.ToDictionary(a => a.Key, a => a.Value is string text ? Encoding.UTF8.GetBytes(text) : a.Value);
}
