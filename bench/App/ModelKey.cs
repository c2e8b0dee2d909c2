namespace Pipeline.Bench.App;

/// <summary>The one parameter of the bench's classes: each key is its own pool.</summary>
/// <param name="Key">The key.</param>
public sealed record ModelKey(string Key);
