namespace Pipeline.IntegrationTests.App;

/// <summary>Functions served over HTTP by the gateway.</summary>
public static class WebWork
{
    [Function, WebEndpoint("POST", Path = "/itest/sum")]
    public static long WebSum(long a, long b = 2, long c = 3) => (100 * a) + (10 * b) + c;

    [Function, WebEndpoint]
    public static string WebFail(string message) => throw new InvalidOperationException(message);

    [Function(Timeout = "00:00:01"), WebEndpoint]
    public static async Task<string> WebSleepAsync(int milliseconds, CancellationToken cancellationToken)
    {
        await Task.Delay(milliseconds, cancellationToken);
        return "awake";
    }

    /// <summary>Runs until the test opens the gate named by the tag, like <see cref="Work.GatedAsync"/>.</summary>
    [Function(Timeout = "00:02:00"), WebEndpoint]
    public static async Task<string> WebHoldAsync(string tag, CancellationToken cancellationToken)
    {
        Events.Write("hold-start", tag);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!File.Exists(Events.Gate(tag)))
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }

        return tag;
    }
}
