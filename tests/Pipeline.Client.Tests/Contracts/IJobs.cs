namespace Pipeline.Client.Tests.Contracts;

/// <summary>The function-set contract of <c>TestApps.Inference</c>'s functions, plus one for two arguments.</summary>
[Contract(App = "inference")]
public interface IJobs
{
    /// <summary>Squares, asynchronously.</summary>
    [Method(Name = "square")]
    Task<int> SquareAsync(int x, CancellationToken ct);

    /// <summary>Doubles x, synchronously.</summary>
    int Twice(int x);

    /// <summary>Adds.</summary>
    Task<int> AddAsync(int a, int b, CancellationToken ct);

    /// <summary>Runs and returns nothing.</summary>
    Task NightlyReportAsync(CancellationToken ct);
}
