namespace Pipeline.Cli.Tests.App;

public static class Jobs
{
    [Function]
    public static long Square(long x) => x * x;

    [Function]
    public static string Greet(string name) => $"hello {name}";

    /// <summary>Fails for a negative input: a map over it has failed inputs in their places.</summary>
    [Function]
    public static long Positive(long x) => x >= 0 ? x : throw new ArgumentOutOfRangeException(nameof(x), $"{x} is negative");

    /// <summary>Always fails, with no retry: its inputs land in the dead letter queue.</summary>
    [Function]
    public static string Fail(string tag) => throw new InvalidOperationException($"{tag} fails on purpose");

    [Function(Timeout = "00:01:00")]
    public static async Task<string> SleepAsync(int milliseconds, CancellationToken cancellationToken)
    {
        await Task.Delay(milliseconds, cancellationToken);
        return "awake";
    }

    [Function, Schedule(Cron = "0 3 * * *", TimeZone = "Europe/Berlin")]
    public static string Nightly() => "nightly done";
}
