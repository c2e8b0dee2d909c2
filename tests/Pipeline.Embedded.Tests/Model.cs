namespace Pipeline.Embedded.Tests;

[App("embedded"), Cls]
public sealed class Model
{
    [Parameter] public required string Run { get; init; }

    [Parameter] public required string Name { get; init; }

    [Parameter] public int Size { get; init; } = 100;

    [Parameter] public bool FailEnter { get; init; }

    [Enter]
    public void Load()
    {
        Events.Add(Run, $"enter {Name}/{Size}");
        if (FailEnter)
        {
            throw new InvalidOperationException($"cannot load {Name}");
        }
    }

    [Method]
    public string Generate(string prompt)
    {
        Events.Add(Run, $"input {Name}/{Size}");
        return $"{Name}:{Size}:{prompt}";
    }

    [Exit]
    public void Unload() => Events.Add(Run, $"exit {Name}/{Size}");
}
