namespace Pipeline.IntegrationTests.App;

/// <summary>Scales down after 2 s idle.</summary>
[Cls(ScaledownWindow = "00:00:02")]
public sealed class Quick
{
    [Parameter] public required string Name { get; init; }

    [Enter]
    public void Load() => Events.Write("enter", $"quick/{Name}");

    [Method]
    public Reply Ping(string tag) => Work.Here(tag);

    [Exit]
    public void Unload() => Events.Write("exit", $"quick/{Name}");
}
