namespace Pipeline.IntegrationTests.Contracts;

/// <summary>The parameters of <see cref="ITypedModel"/>: a required name and a size that defaults to 3.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Size">Its size.</param>
public sealed record TypedModelParameters(string Name, int Size = 3);
