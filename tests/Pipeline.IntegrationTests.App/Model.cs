using Pipeline.IntegrationTests.Contracts;

namespace Pipeline.IntegrationTests.App;

/// <summary>
/// A parameterized class whose lifecycle the tests watch through <see cref="Events"/>; it implements
/// <see cref="IModel"/> and takes its <see cref="ModelParameters"/> through its constructor.
/// </summary>
[Cls]
public sealed class Model(ModelParameters parameters) : IModel
{
    private string Name => parameters.Name;

    private int Size => parameters.Size;

    [Enter]
    public void Load() => Events.Write("enter", Subject);

    /// <inheritdoc />
    public Reply Generate(string prompt) => Work.Here($"{Name}:{Size}:{prompt}");

    /// <inheritdoc />
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
