using Pipeline.IntegrationTests.Contracts;

namespace Pipeline.IntegrationTests.App;

/// <summary>Implements <see cref="ITypedJobs"/> with static functions, checked against it at start-up.</summary>
[Implements(typeof(ITypedJobs))]
public static class TypedJobs
{
    [Function]
    public static Task<int> CubeAsync(int x, CancellationToken ct) => Task.FromResult(x * x * x);

    [Function(Timeout = "00:00:01")]
    public static async Task<int> NapAsync(int milliseconds, CancellationToken ct)
    {
        await Task.Delay(milliseconds, ct);
        return milliseconds;
    }
}
