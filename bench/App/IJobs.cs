namespace Pipeline.Bench.App;

/// <summary>
/// The bench's functions as a caller compiles against them (<c>client.Function&lt;IJobs&gt;()</c>). The scenarios call
/// them untyped, by name, so what they measure is the call path that every caller shares.
/// </summary>
[Contract]
public interface IJobs
{
    /// <summary>Does nothing but tell the probe it ran.</summary>
    /// <param name="ct">The call's token.</param>
    Task NoopAsync(CancellationToken ct);

    /// <summary>Returns its input.</summary>
    /// <param name="x">The input.</param>
    int Echo(int x);

    /// <summary>The drain: its own pool, so nothing else consumes it while the queue fills.</summary>
    /// <param name="ct">The call's token.</param>
    Task DrainAsync(CancellationToken ct);
}
