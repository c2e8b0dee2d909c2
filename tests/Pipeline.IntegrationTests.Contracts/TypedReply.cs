namespace Pipeline.IntegrationTests.Contracts;

/// <summary>What <see cref="ITypedModel.DescribeAsync"/> returns: the text and the container's view of the input.</summary>
/// <param name="Text">name:size:prompt.</param>
/// <param name="CallId">ContainerContext.Current.CallId.</param>
/// <param name="Attempt">ContainerContext.Current.Attempt.</param>
/// <param name="Size">ContainerContext.Current.Parameters["size"].</param>
/// <param name="Pid">The worker process.</param>
public sealed record TypedReply(string Text, string? CallId, int Attempt, long Size, int Pid);
