using System.Reflection;
using Pipeline.Consumers.Execution;

namespace Pipeline.Consumers.Tests.Execution;

/// <summary>
/// The runner calls user code of any shape and gives back its result once it has finished, and lets the user's own
/// exception through as it was thrown, so that retries and remote errors see the real type.
/// </summary>
public sealed class MethodRunnerTests
{
    private readonly RunnerSamples _target = new();

    [Fact]
    public async Task RunAsync_SyncMethodReturningValue_ReturnsTheValue()
    {
        var result = await Run(nameof(RunnerSamples.Add), 2);

        Assert.Equal(42, result);
    }

    [Fact]
    public async Task RunAsync_VoidMethod_RunsItAndReturnsNull()
    {
        var result = await Run(nameof(RunnerSamples.Touch));

        Assert.Null(result);
        Assert.Equal(1, _target.Calls);
    }

    [Fact]
    public async Task RunAsync_TaskMethod_CompletesAfterTheTaskAndReturnsNull()
    {
        var result = await Run(nameof(RunnerSamples.TouchLaterAsync));

        Assert.Null(result);
        Assert.Equal(1, _target.Calls);
    }

    [Fact]
    public async Task RunAsync_TaskOfTMethod_ReturnsTheAwaitedValue()
    {
        var result = await Run(nameof(RunnerSamples.AddLaterAsync), 3);

        Assert.Equal(43, result);
    }

    [Fact]
    public async Task RunAsync_ValueTaskMethod_CompletesAfterTheTaskAndReturnsNull()
    {
        var result = await Run(nameof(RunnerSamples.TouchLaterValueAsync));

        Assert.Null(result);
        Assert.Equal(1, _target.Calls);
    }

    [Fact]
    public async Task RunAsync_ValueTaskOfTMethod_ReturnsTheAwaitedValue()
    {
        var result = await Run(nameof(RunnerSamples.EchoLaterAsync), "hello");

        Assert.Equal("hello", result);
    }

    [Fact]
    public async Task RunAsync_StaticMethod_RunsWithoutTarget()
    {
        var method = typeof(RunnerSamples).GetMethod(nameof(RunnerSamples.Square))!;

        var result = await MethodRunner.RunAsync(method, target: null, [7]);

        Assert.Equal(49, result);
    }

    [Fact]
    public async Task RunAsync_SyncMethodThrows_SurfacesTheOriginalException()
    {
        var exception = await Assert.ThrowsAsync<InvalidDataException>(() => Run(nameof(RunnerSamples.ThrowNow)));

        Assert.Equal("now", exception.Message);
    }

    [Fact]
    public async Task RunAsync_TaskMethodThrowsBeforeReturningATask_SurfacesTheOriginalException()
    {
        var exception = await Assert.ThrowsAsync<InvalidDataException>(() => Run(nameof(RunnerSamples.ThrowBeforeTask)));

        Assert.Equal("before", exception.Message);
    }

    [Fact]
    public async Task RunAsync_TaskOfTMethodThrowsAfterAwait_SurfacesTheOriginalException()
    {
        var exception = await Assert.ThrowsAsync<TimeoutException>(() => Run(nameof(RunnerSamples.ThrowLaterAsync)));

        Assert.Equal("later", exception.Message);
    }

    [Fact]
    public async Task RunAsync_ValueTaskMethodThrowsAfterAwait_SurfacesTheOriginalException()
    {
        var exception = await Assert.ThrowsAsync<TimeoutException>(() => Run(nameof(RunnerSamples.ThrowLaterValueAsync)));

        Assert.Equal("later", exception.Message);
    }

    private Task<object?> Run(string name, params object?[] arguments)
    {
        var method = typeof(RunnerSamples).GetMethod(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)!;
        return MethodRunner.RunAsync(method, _target, arguments);
    }

    public sealed class RunnerSamples
    {
        public int Base { get; init; } = 40;

        public int Calls { get; private set; }

        public static int Square(int x) => x * x;

        public int Add(int x) => Base + x;

        public void Touch() => Calls++;

        public async Task TouchLaterAsync()
        {
            await Task.Yield();
            Calls++;
        }

        public async Task<int> AddLaterAsync(int x)
        {
            await Task.Yield();
            return Base + x;
        }

        public async ValueTask TouchLaterValueAsync()
        {
            await Task.Yield();
            Calls++;
        }

        public async ValueTask<string> EchoLaterAsync(string text)
        {
            await Task.Yield();
            return text;
        }

        public static int ThrowNow() => throw new InvalidDataException("now");

        public static Task<int> ThrowBeforeTask() => throw new InvalidDataException("before");

        public static async Task<int> ThrowLaterAsync()
        {
            await Task.Yield();
            throw new TimeoutException("later");
        }

        public static async ValueTask ThrowLaterValueAsync()
        {
            await Task.Yield();
            throw new TimeoutException("later");
        }
    }
}
