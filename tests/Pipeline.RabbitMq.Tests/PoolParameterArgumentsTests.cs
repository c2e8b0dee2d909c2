using System.Text.Json;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.RabbitMq.Tests;

/// <summary>
/// A pool queue carries one <c>x-pipeline-param.&lt;name&gt;</c> argument per parameter, which the management UI shows
/// as it is; the JSON in <c>x-pipeline-parameters</c> stays for tools.
/// </summary>
public sealed class PoolParameterArgumentsTests
{
    private static readonly RabbitMqOptions Classic = new();

    [Fact]
    public void For_ClassPool_HasOneReadableArgumentPerParameterBesideTheJson()
    {
        var demand = Demand(
            ("name", ParameterValue.FromString("llama")),
            ("size", ParameterValue.FromInt(7)),
            ("stream", ParameterValue.FromBool(true)),
            ("seed", ParameterValue.FromBytes([1, 2, 3])),
            ("key", ParameterValue.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)(i * 17)).ToArray())),
            ("empty", ParameterValue.FromBytes([])),
            ("word", ParameterValue.FromString("test")));

        var arguments = PoolQueueArguments.For(demand, Classic);

        Assert.Equal("llama", arguments["x-pipeline-param.name"]);
        Assert.Equal(7L, arguments["x-pipeline-param.size"]);
        Assert.Equal(true, arguments["x-pipeline-param.stream"]);
        Assert.Equal("3 bytes: 010203", arguments["x-pipeline-param.seed"]);
        Assert.Equal("32 bytes: 0011223344556677…", arguments["x-pipeline-param.key"]);
        Assert.Equal("0 bytes", arguments["x-pipeline-param.empty"]);
        // "test" is valid base64 too; the pool id says it is a string.
        Assert.Equal("test", arguments["x-pipeline-param.word"]);
        Assert.Equal(demand.Parameters!.Value.GetRawText(), arguments["x-pipeline-parameters"]);
    }

    [Fact]
    public void For_LongString_IsCutAndSaysItsLength()
    {
        var demand = Demand(("prompt", ParameterValue.FromString(new string('a', 1000))));

        var shown = (string)PoolQueueArguments.For(demand, Classic)["x-pipeline-param.prompt"]!;

        Assert.Equal(new string('a', 200) + "… (1000 characters)", shown);
    }

    [Fact]
    public void For_NameTooLongForAnAmqpKey_ShowsItOnlyInTheJson()
    {
        var longName = new string('n', 300);
        var demand = Demand((longName, ParameterValue.FromInt(1)), ("size", ParameterValue.FromInt(7)));

        var arguments = PoolQueueArguments.For(demand, Classic);

        Assert.DoesNotContain(arguments.Keys, k => k.Length > 255);
        Assert.Equal(7L, arguments["x-pipeline-param.size"]);
        Assert.Contains(longName, (string)arguments["x-pipeline-parameters"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void For_QueueNameWithoutPoolId_ShowsStringsAsText()
    {
        var demand = new PoolDemanded
        {
            Queue = "inference.model.custom",
            App = "inference",
            Class = "model",
            Parameters = JsonDocument.Parse("""{"seed": "AQID", "size": 7}""").RootElement,
        };

        var arguments = PoolQueueArguments.For(demand, Classic);

        Assert.Equal("AQID", arguments["x-pipeline-param.seed"]);
        Assert.Equal(7L, arguments["x-pipeline-param.size"]);
    }

    [Fact]
    public void TryRead_QueueWithPerParameterArguments_ReadsTheJsonAndIgnoresThem()
    {
        var demand = Demand(("name", ParameterValue.FromString("llama")), ("seed", ParameterValue.FromBytes([1, 2, 3])));

        var read = PoolQueueArguments.TryRead(demand.Queue, new Dictionary<string, object?>(PoolQueueArguments.For(demand, Classic)));

        Assert.Equal(demand.Parameters!.Value.GetRawText(), read!.Parameters!.Value.GetRawText());
    }

    internal static PoolDemanded Demand(params (string Name, ParameterValue Value)[] parameters)
    {
        var set = ParameterSet.Create(parameters.Select(p => new KeyValuePair<string, ParameterValue>(p.Name, p.Value)));
        return new PoolDemanded
        {
            Queue = QueueNames.ForClass("inference", "model", set),
            App = "inference",
            Class = "model",
            Parameters = JsonDocument.Parse(set.ToJson()).RootElement,
        };
    }
}
