using Pipeline.Consumers.Batching;
using Pipeline.Consumers.Discovery;

namespace Pipeline.Consumers.Tests.Batching;

/// <summary>
/// Every rule of a [Batched] method is checked at start-up: a mistake stops discovery with a message naming the method
/// and the rule. The nested classes are user code, one mistake each.
/// </summary>
public sealed class BatchSignatureTests
{
    public static TheoryData<Type, string[]> Mistakes() => new()
    {
        { typeof(SingleValueArgument), ["[Batched] SingleValueArgument.Twice", "parameter 'value' is int, not a list", "make it List<int>"] },
        { typeof(DictionaryArgument), ["[Batched] DictionaryArgument.Twice", "parameter 'values' is Dictionary<string, int>, not a list"] },
        { typeof(DefaultValue), ["[Batched] DefaultValue.Scale", "parameter 'factors' has a default value", "takes no defaults", "remove it"] },
        { typeof(NoArguments), ["[Batched] NoArguments.Tick", "takes no arguments", "at least one list parameter"] },
        { typeof(ReturnsVoid), ["[Batched] ReturnsVoid.Save", "returns nothing", "one result per input"] },
        { typeof(ReturnsTask), ["[Batched] ReturnsTask.SaveAsync", "returns nothing", "return List<T> or T[]"] },
        { typeof(ReturnsSingleValue), ["[Batched] ReturnsSingleValue.Sum", "returns int, not a list", "one result per input, in input order"] },
        { typeof(ReturnsLazySequence), ["[Batched] ReturnsLazySequence.Twice", "returns IEnumerable<int> (which may be lazy), not a list"] },
        { typeof(ReturnsTaskOfSingleValue), ["[Batched] ReturnsTaskOfSingleValue.SumAsync", "returns int, not a list"] },
        { typeof(StaticWithoutFunction), ["[Batched] StaticWithoutFunction.Twice", "is not a [Function]", "Add [Function]"] },
        { typeof(ClsMethodWithoutMethod), ["[Batched] ClsMethodWithoutMethod.Twice", "is not a [Method]", "Add [Method]"] },
        { typeof(BatchedWebEndpoint), ["[Batched] BatchedWebEndpoint.Twice", "also a [WebEndpoint]", "Remove one of them"] },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Discover_BatchedMethodBreakingARule_NamesTheMethodAndTheRule(Type sample, string[] parts)
    {
        var problem = Assert.Single(Assert.Throws<AppDefinitionException>(() => AppDiscovery.Discover([sample])).Problems);

        foreach (var part in parts)
        {
            Assert.Contains(part, problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Discover_ListArgumentsOfEveryAllowedShape_CallersGiveTheElementTypes()
    {
        var function = Assert.Single(AppDiscovery.Discover([typeof(EveryShape)]).Apps).Functions["mix"];

        Assert.Equal([typeof(string), typeof(int), typeof(long), typeof(double), typeof(bool), typeof(byte[])], function.Arguments.Select(a => a.Type));
        Assert.Equal(["names", "counts", "ids", "weights", "flags", "blobs"], function.Arguments.Select(a => a.Name));
        Assert.Equal(6, function.CancellationTokenIndex);
        Assert.Equal(typeof(string), function.BatchSignature!.ResultElement);
    }

    [Fact]
    public void Discover_SyncAndAsyncResultsOfEveryAllowedShape_AreAccepted()
    {
        var functions = Assert.Single(AppDiscovery.Discover([typeof(EveryResult)]).Apps).Functions;

        Assert.Equal(["array", "collection", "list", "list-interface", "read-only", "task", "value-task"], functions.Keys.Order(StringComparer.Ordinal));
        Assert.All(functions.Values, f => Assert.Equal(typeof(int), f.BatchSignature!.ResultElement));
    }

    [Fact]
    public void Discover_ClassWithTwoBatchedMethodsAndAPlainOne_IsAllowedAndEachBatchesOnItsOwn()
    {
        var cls = Assert.Single(Assert.Single(AppDiscovery.Discover([typeof(TwoBatched)]).Apps).Classes.Values);

        Assert.Equal(8, cls.Methods["embed"].Batched!.MaxBatchSize);
        Assert.Equal(16, cls.Methods["rank"].Batched!.MaxBatchSize);
        Assert.Null(cls.Methods["info"].Batched);
        Assert.Equal(1 + 8 + 16, BatchCapacity.ForClass(cls));
    }

    [Fact]
    public void ForFunction_BatchedOrNot_TakesMaxBatchSizeOrTheUnbatchedConcurrency()
    {
        var functions = Assert.Single(AppDiscovery.Discover([typeof(EveryResult)]).Apps).Functions;
        var plain = Assert.Single(AppDiscovery.Discover([typeof(Plain)]).Apps).Functions["run"];

        Assert.Equal(32, BatchCapacity.ForFunction(functions["list"], unbatched: 16));
        Assert.Equal(16, BatchCapacity.ForFunction(plain, unbatched: 16));
    }

    [Fact]
    public void ForClass_OnlyBatchedMethods_TakesTheirSumWithNoRoomForOthers()
    {
        var onlyBatched = Assert.Single(Assert.Single(AppDiscovery.Discover([typeof(OnlyBatched)]).Apps).Classes.Values);
        var plainClass = Assert.Single(Assert.Single(AppDiscovery.Discover([typeof(PlainClass)]).Apps).Classes.Values);

        Assert.Equal(4, BatchCapacity.ForClass(onlyBatched));
        Assert.Equal(1, BatchCapacity.ForClass(plainClass));
    }

    // ----- Mistakes -----
    [App("rules")]
    public static class SingleValueArgument
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static int[] Twice(int value) => [value * 2];
    }

    [App("rules")]
    public static class DictionaryArgument
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static int[] Twice(Dictionary<string, int> values) => [.. values.Values];
    }

    [App("rules")]
    public static class DefaultValue
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static double[] Scale(double[] values, double[]? factors = null) => factors ?? values;
    }

    [App("rules")]
    public static class NoArguments
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static int[] Tick(CancellationToken cancellationToken) => [];
    }

    [App("rules")]
    public static class ReturnsVoid
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static void Save(List<string> rows) => rows.Clear();
    }

    [App("rules")]
    public static class ReturnsTask
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static Task SaveAsync(List<string> rows) => Task.CompletedTask;
    }

    [App("rules")]
    public static class ReturnsSingleValue
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static int Sum(List<int> values) => values.Sum();
    }

    [App("rules")]
    public static class ReturnsLazySequence
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static IEnumerable<int> Twice(List<int> values) => values.Select(v => v * 2);
    }

    [App("rules")]
    public static class ReturnsTaskOfSingleValue
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static Task<int> SumAsync(List<int> values) => Task.FromResult(values.Sum());
    }

    [App("rules")]
    public static class StaticWithoutFunction
    {
        [Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static int[] Twice(int[] values) => values;
    }

    [App("rules"), Cls]
    public sealed class ClsMethodWithoutMethod
    {
        [Batched(MaxBatchSize = 8, WaitMs = 10)]
        public int[] Twice(int[] values) => values;
    }

    [App("rules")]
    public static class BatchedWebEndpoint
    {
        [Function, WebEndpoint, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static int[] Twice(int[] values) => values;
    }

    // ----- Allowed shapes -----
    [App("shapes")]
    public static class EveryShape
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static List<string> Mix(List<string> names, int[] counts, IList<long> ids, IReadOnlyList<double> weights, IEnumerable<bool> flags, ICollection<byte[]> blobs, CancellationToken cancellationToken) => names;
    }

    [App("results")]
    public static class EveryResult
    {
        [Function, Batched(MaxBatchSize = 32, WaitMs = 0)]
        public static List<int> List(List<int> values) => values;

        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static int[] Array(int[] values) => values;

        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static IList<int> ListInterface(IList<int> values) => values;

        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static IReadOnlyList<int> ReadOnly(IReadOnlyList<int> values) => values;

        [Function, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public static ICollection<int> Collection(ICollection<int> values) => values;

        [Function, Batched(MaxBatchSize = 8, WaitMs = 600_000)]
        public static Task<List<int>> TaskAsync(List<int> values) => Task.FromResult(values);

        [Function, Batched(MaxBatchSize = 1000, WaitMs = 10)]
        public static ValueTask<int[]> ValueTaskAsync(int[] values, CancellationToken cancellationToken) => ValueTask.FromResult(values);
    }

    [App("classes"), Cls]
    public sealed class TwoBatched
    {
        [Method, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public List<string> Embed(List<string> texts) => texts;

        [Method, Batched(MaxBatchSize = 16, WaitMs = 10)]
        public List<int> Rank(List<string> texts) => [.. texts.Select(t => t.Length)];

        [Method]
        public string Info() => "model";
    }

    [App("classes"), Cls]
    public sealed class OnlyBatched
    {
        [Method, Batched(MaxBatchSize = 4, WaitMs = 10)]
        public List<string> Embed(List<string> texts) => texts;
    }

    [App("classes"), Cls]
    public sealed class PlainClass
    {
        [Method]
        public string Info() => "model";
    }

    [App("plain")]
    public static class Plain
    {
        [Function]
        public static int Run() => 1;
    }
}
