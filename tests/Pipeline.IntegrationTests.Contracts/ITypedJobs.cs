namespace Pipeline.IntegrationTests.Contracts;

/// <summary>Plain functions of the app <c>itest</c> as their callers see them.</summary>
[Contract]
public interface ITypedJobs
{
    /// <summary>x³.</summary>
    /// <param name="x">The number.</param>
    /// <param name="ct">The call's token.</param>
    Task<int> CubeAsync(int x, CancellationToken ct);

    /// <summary>Sleeps for <paramref name="milliseconds"/>; its timeout is 1 s, so a longer nap times out.</summary>
    /// <param name="milliseconds">How long.</param>
    /// <param name="ct">The call's token.</param>
    Task<int> NapAsync(int milliseconds, CancellationToken ct);
}
