using Pipeline;

namespace Quickstart;

/// <summary>Plain functions: no state, no lifecycle. The host checks at start-up that they match <see cref="IJobs"/>.</summary>
[Implements(typeof(IJobs))]
public static class Jobs
{
    [Function(Timeout = "00:00:30")]
    public static int Square(int x) => x * x;

    [Function, Retries(2, InitialDelaySeconds = 0.1)]
    public static async Task<string> ReportAsync(string title, CancellationToken cancellationToken)
    {
        await Task.Delay(50, cancellationToken);
        return $"report '{title}' done";
    }

    [Function]
    public static string Fail(string why) => throw new InvalidOperationException(why);
}
