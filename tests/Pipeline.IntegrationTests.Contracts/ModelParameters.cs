namespace Pipeline.IntegrationTests.Contracts;

/// <summary>The parameters of <see cref="IModel"/>: a required name and a size that defaults to 1.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Size">Its size.</param>
public sealed record ModelParameters(string Name, int Size = 1);
