using Pipeline;

[assembly: App("mypipeline")]

namespace MyPipeline.Contracts;

/// <summary>The functions of the app, as callers see them: the compiler checks every call.</summary>
[Contract]
public interface IJobs
{
    /// <summary>x squared.</summary>
    /// <param name="x">The number.</param>
    /// <param name="ct">The call's token (never sent as an argument).</param>
    /// <returns>x * x.</returns>
    Task<int> SquareAsync(int x, CancellationToken ct);
}
