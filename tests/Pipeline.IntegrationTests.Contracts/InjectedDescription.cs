namespace Pipeline.IntegrationTests.Contracts;

/// <summary>What <see cref="IInjectedModel.Describe"/> returns.</summary>
/// <param name="Parameters">The record the instance's constructor was given.</param>
/// <param name="Greeting">The injected greeter's greeting with the injected options' punctuation.</param>
/// <param name="Queue">The container's queue (ContainerContext.Current.Queue).</param>
/// <param name="Instance">An id the instance drew when it was built.</param>
public sealed record InjectedDescription(InjectedModelParameters Parameters, string Greeting, string Queue, Guid Instance);
