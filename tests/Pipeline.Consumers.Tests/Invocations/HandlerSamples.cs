using System.Collections.Concurrent;

namespace Pipeline.Consumers.Tests.Invocations;

[App("handler")]
public static class HandlerSamples
{
    private static readonly ConcurrentDictionary<string, int> Calls = new();

    [Function]
    public static int Add(int a, int b) => a + b;

    /// <summary>What <see cref="ContainerContext.Current"/> says about the running input.</summary>
    [Function]
    public static string WhoAmI() => $"{ContainerContext.Current?.CallId}/{ContainerContext.Current?.InputId}/{ContainerContext.Current?.Attempt}";

    [Function(Timeout = "00:00:05")]
    public static async Task<string> HangAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return "never";
    }

    [Function(Timeout = "00:00:05"), Retries(2)]
    public static async Task<string> HangWithRetriesAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return "never";
    }

    /// <summary>How many times <see cref="Flaky"/> ran for <paramref name="key"/>.</summary>
    public static int Attempts(string key) => Calls.GetValueOrDefault(key);

    [Function]
    public static string Explode(string message) => throw new InvalidDataException(message);

    /// <summary>Fails until it has been called <paramref name="failures"/> times for <paramref name="key"/>.</summary>
    [Function, Retries(3, BackoffCoefficient = 2, InitialDelaySeconds = 1, MaxDelaySeconds = 60)]
    public static int Flaky(string key, int failures)
    {
        var attempt = Calls.AddOrUpdate(key, 1, (_, n) => n + 1);
        return attempt <= failures ? throw new TimeoutException($"attempt {attempt} failed") : attempt;
    }
}

/// <summary>A parameterized class, for inputs that must match their pool's parameters.</summary>
[App("handler"), Cls]
public sealed class HandlerModel
{
    [Parameter] public required string Name { get; init; }

    [Method]
    public string Greet(string who) => $"{Name} greets {who}";
}
