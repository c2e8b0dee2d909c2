using MyPipeline.Contracts;
using Pipeline;

[assembly: App("mypipeline")]

namespace MyPipeline.App;

/// <summary>The functions; the host checks at start-up that they match <see cref="IJobs"/>.</summary>
[Implements(typeof(IJobs))]
public static class Jobs
{
    /// <summary>x squared.</summary>
    [Function(Timeout = "00:00:30")]
    public static Task<int> SquareAsync(int x, CancellationToken ct) => Task.FromResult(x * x);
}
