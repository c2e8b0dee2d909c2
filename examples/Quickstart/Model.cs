using Pipeline;

namespace Quickstart;

/// <summary>
/// A parameterized class: each (Name, Size) is its own pool with its own enter and exit. It implements its contract
/// <see cref="IModel"/>, so its methods need no [Method] and the host checks at start-up that its parameters match
/// <see cref="ModelParameters"/> (names, types and defaults).
/// </summary>
[Cls]
public sealed class Model : IModel
{
    private string[]? _vocabulary;

    [Parameter] public required string Name { get; init; }

    [Parameter] public int Size { get; init; } = 100;

    [Enter]
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(200, cancellationToken); // pretend to load weights
        _vocabulary = ["alpha", "beta", "gamma", "delta"];
        Console.WriteLine($"  [enter] loaded model name={Name} size={Size}");
    }

    // Also served over HTTP by the gateway: GET /quickstart/model/generate?name=llama&size=7&prompt=hi
    [Method, WebEndpoint]
    public string Generate(string prompt) =>
        $"{Name}-{Size} says: {prompt} {_vocabulary![prompt.Length % _vocabulary.Length]}";

    public int CountTokens(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length * Size;

    [Exit]
    public void Unload() => Console.WriteLine($"  [exit] unloaded model name={Name} size={Size}");
}
