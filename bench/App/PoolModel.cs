namespace Pipeline.Bench.App;

/// <summary>
/// Scenario 6: many parameter sets, one input each; enter and exit are counted to time scale-up and scale-down. It
/// reads no parameter: each <see cref="IPoolModel"/> record is its own pool all the same.
/// </summary>
[Cls(ScaledownWindow = PoolModel.Window)]
public sealed class PoolModel : IPoolModel
{
    public const string Window = "00:00:10";

    private static int _entered;
    private static int _exited;

    public static int Entered => Volatile.Read(ref _entered);

    public static int Exited => Volatile.Read(ref _exited);

    [Enter]
    public void Load() => Interlocked.Increment(ref _entered);

    /// <inheritdoc />
    public int Ping() => 0;

    [Exit]
    public void Unload() => Interlocked.Increment(ref _exited);

    public static void Reset()
    {
        Volatile.Write(ref _entered, 0);
        Volatile.Write(ref _exited, 0);
    }
}
