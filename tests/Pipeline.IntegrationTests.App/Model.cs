namespace Pipeline.IntegrationTests.App;

/// <summary>A parameterized class whose lifecycle the tests watch through <see cref="Events"/>.</summary>
[Cls]
public sealed class Model
{
    [Parameter] public required string Name { get; init; }

    [Parameter] public int Size { get; init; } = 1;

    [Enter]
    public void Load() => Events.Write("enter", Subject);

    [Method]
    public Reply Generate(string prompt) => Work.Here($"{Name}:{Size}:{prompt}");

    [Method]
    public async Task<Reply> SlowAsync(string prompt, int milliseconds, CancellationToken cancellationToken)
    {
        Events.Write("slow-start", Subject);
        Events.Write("method-start", prompt);
        await Task.Delay(milliseconds, cancellationToken);
        Events.Write("method-end", prompt);
        return Work.Here($"{Name}:{prompt}");
    }

    [Exit]
    public void Unload() => Events.Write("exit", Subject);

    private string Subject => $"model/{Name}/{Size}";
}
