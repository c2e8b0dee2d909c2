namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>
/// The second collection of integration test classes (see <see cref="ServersGroup"/>): the gateway, invocation,
/// health, metrics, scheduler and results-store tests, each class on this collection's own <see cref="Servers"/>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ServersGroupB : ICollectionFixture<Servers>
{
    public const string Name = "servers-b";
}
