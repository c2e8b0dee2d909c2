namespace Pipeline.Cli.Tests.App;

/// <summary>A parameterized class whose hooks print, so `pipeline dev` shows them running.</summary>
[Cls]
public sealed class Counter
{
    [Parameter] public required string Name { get; init; }

    [Parameter] public int Start { get; init; }

    [Enter]
    public void Open() => Console.WriteLine($"enter hook ran for {Name}");

    [Method]
    public long Add(long x) => Start + x;

    [Exit]
    public void Close() => Console.WriteLine($"exit hook ran for {Name}");
}
