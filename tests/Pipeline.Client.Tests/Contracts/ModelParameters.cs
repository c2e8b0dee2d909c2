namespace Pipeline.Client.Tests.Contracts;

/// <summary>The parameters of <see cref="IModel"/>, as <c>TestApps.Inference</c> declares them untyped.</summary>
public sealed record ModelParameters(string Name, int Size = 100);
