namespace Pipeline.WorkerHost.Store;

/// <summary>
/// How long an operation on the results store waits before trying again while the store is unavailable: 200 ms, doubling
/// each try, capped at 5 s, each delay spread by +-20 % so hosts that lost the store together do not return in step.
/// There is no limit on tries: an input waits until the store answers or the host stops (then it is delivered again).
/// </summary>
internal static class StoreBackoff
{
    /// <summary>The delay after the first failure.</summary>
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two tries: the most a recovered store waits for a held input to notice.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    private const double Spread = 0.2;

    /// <summary>The delay after failed try <paramref name="attempt"/> (1-based), with <paramref name="random"/> in [0, 1) picking the spread.</summary>
    public static TimeSpan Delay(int attempt, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var exponent = Math.Min(attempt - 1, 16);
        var plain = Math.Min(First.TotalMilliseconds * Math.Pow(2, exponent), Max.TotalMilliseconds);
        var spread = 1 - Spread + (2 * Spread * Math.Clamp(random, 0, 1));
        return TimeSpan.FromMilliseconds(Math.Min(plain * spread, Max.TotalMilliseconds));
    }
}
