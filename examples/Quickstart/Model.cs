using Pipeline;

namespace Quickstart;

/// <summary>
/// A parameterized class: each (Name, Size) is its own pool with its own enter and exit. It implements its contract
/// <see cref="IModel"/>, so its methods need no [Method], and its constructor takes the contract's
/// <see cref="ModelParameters"/> with the pool's values (defaults applied). It could take services too.
/// </summary>
[Cls]
public sealed class Model(ModelParameters parameters) : IModel
{
    private string[]? _vocabulary;

    private string Name => parameters.Name;

    private int Size => parameters.Size;

    [Enter]
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(200, cancellationToken); // pretend to load weights
        _vocabulary = ["alpha", "beta", "gamma", "delta"];
        Console.WriteLine($"  [enter] loaded model name={Name} size={Size}");
    }

    /// <inheritdoc />
    /// <remarks>Also served over HTTP by the gateway: <c>GET /quickstart/model/generate?name=llama&amp;size=7&amp;prompt=hi</c>.</remarks>
    [WebEndpoint]
    public string Generate(string prompt) =>
        $"{Name}-{Size} says: {prompt} {_vocabulary![prompt.Length % _vocabulary.Length]}";

    /// <inheritdoc />
    public int CountTokens(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length * Size;

    [Exit]
    public void Unload() => Console.WriteLine($"  [exit] unloaded model name={Name} size={Size}");
}
