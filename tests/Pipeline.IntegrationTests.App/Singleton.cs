namespace Pipeline.IntegrationTests.App;

/// <summary>At most one container across every host.</summary>
[Cls(MaxContainers = 1)]
public sealed class Singleton
{
    [Parameter] public required string Name { get; init; }

    [Enter]
    public void Load() => Events.Write("enter", $"singleton/{Name}");

    [Method]
    public Reply Who(string tag) => Work.Here(tag);

    [Exit]
    public void Unload() => Events.Write("exit", $"singleton/{Name}");
}
