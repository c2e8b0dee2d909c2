using Pipeline.Consumers.Discovery;

namespace Pipeline.Consumers.Tests.Discovery;

/// <summary>
/// <c>[Concurrent]</c> (Modal's <c>@modal.concurrent</c>) and <c>BufferContainers</c> reach the settings a pool is
/// planned from; <c>[Concurrent]</c> with <c>[Batched]</c>, out-of-range values, or on a class's method are refused
/// at discovery with the member and the fix.
/// </summary>
public sealed class ConcurrentDiscoveryTests
{
    [Fact]
    public void Discover_ConcurrentFunction_KeepsMaxAndTargetInputs()
    {
        var settings = Assert.Single(AppDiscovery.Discover([typeof(ConcurrentJobs)]).Apps).Functions["fan-out"].Settings;

        Assert.Equal((32, 24, 2), (settings.MaxInputs, settings.TargetInputs, settings.BufferContainers));
    }

    [Fact]
    public void Discover_ConcurrentWithoutTarget_TargetsMaxInputs()
    {
        var settings = Assert.Single(AppDiscovery.Discover([typeof(ConcurrentJobs)]).Apps).Functions["plain"].Settings;

        Assert.Equal((8, 8), (settings.MaxInputs, settings.TargetInputs));
    }

    [Fact]
    public void Discover_ConcurrentClass_AppliesToTheClassAndItsMethods()
    {
        var cls = Assert.Single(Assert.Single(AppDiscovery.Discover([typeof(ConcurrentModel)]).Apps).Classes.Values);

        Assert.Equal(16, cls.Settings.MaxInputs);
        Assert.Equal(16, cls.Methods["generate"].Settings.MaxInputs);
    }

    [Fact]
    public void Discover_NoConcurrent_LeavesMaxInputsUnset()
    {
        var settings = Assert.Single(AppDiscovery.Discover([typeof(ConcurrentJobs)]).Apps).Functions["one-at-a-time"].Settings;

        Assert.Null(settings.MaxInputs);
        Assert.Null(settings.TargetInputs);
    }

    [Fact]
    public void Discover_ConcurrentAndBatchedFunction_RefusedNamingBothAndTheFix()
    {
        var problem = SingleProblem(typeof(ConcurrentBatch));

        AssertMentions(problem, "ConcurrentBatch.Embed", "[Concurrent]", "[Batched]", "Remove one of them");
    }

    [Fact]
    public void Discover_ConcurrentClassWithBatchedMethod_RefusedNamingClassMethodAndTheFix()
    {
        var problem = SingleProblem(typeof(ConcurrentBatchModel));

        AssertMentions(problem, "ConcurrentBatchModel", "'embed'", "[Concurrent]", "[Batched]", "Remove one of them");
    }

    [Fact]
    public void Discover_ConcurrentOnAClassMethod_RefusedPointingToTheClass()
    {
        var problem = SingleProblem(typeof(ConcurrentMethodModel));

        AssertMentions(problem, "ConcurrentMethodModel.Generate", "Put [Concurrent] on the class");
    }

    [Theory]
    [InlineData(typeof(ZeroInputs), "MaxInputs=0")]
    [InlineData(typeof(TargetAboveMax), "TargetInputs=9")]
    public void Discover_ConcurrentOutOfRange_NamesValuesAndRanges(Type sample, string value)
    {
        var problem = SingleProblem(sample);

        AssertMentions(problem, "[Concurrent] on", value, "1 <= MaxInputs <= 1000", "TargetInputs <= MaxInputs");
    }

    private static string SingleProblem(params Type[] types) =>
        Assert.Single(Assert.Throws<AppDefinitionException>(() => AppDiscovery.Discover(types)).Problems);

    private static void AssertMentions(string problem, params string[] parts)
    {
        foreach (var part in parts)
        {
            Assert.Contains(part, problem, StringComparison.Ordinal);
        }
    }

    [App("concurrent")]
    public static class ConcurrentJobs
    {
        [Function(BufferContainers = 2), Concurrent(MaxInputs = 32, TargetInputs = 24)]
        public static int FanOut(int value) => value;

        [Function, Concurrent(MaxInputs = 8)]
        public static int Plain(int value) => value;

        [Function]
        public static int OneAtATime(int value) => value;
    }

    [App("concurrent")]
    [Cls, Concurrent(MaxInputs = 16)]
    public sealed class ConcurrentModel
    {
        [Method]
        public string Generate(string prompt) => prompt;
    }

    [App("concurrent")]
    public static class ConcurrentBatch
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 10), Concurrent(MaxInputs = 4)]
        public static int[] Embed(int[] values) => values;
    }

    [App("concurrent")]
    [Cls, Concurrent(MaxInputs = 4)]
    public sealed class ConcurrentBatchModel
    {
        [Method, Batched(MaxBatchSize = 8, WaitMs = 10)]
        public int[] Embed(int[] values) => values;
    }

    [App("concurrent")]
    [Cls]
    public sealed class ConcurrentMethodModel
    {
        [Method, Concurrent(MaxInputs = 4)]
        public string Generate(string prompt) => prompt;
    }

    [App("concurrent")]
    public static class ZeroInputs
    {
        [Function, Concurrent(MaxInputs = 0)]
        public static int Run() => 1;
    }

    [App("concurrent")]
    public static class TargetAboveMax
    {
        [Function, Concurrent(MaxInputs = 8, TargetInputs = 9)]
        public static int Run() => 1;
    }
}
