namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>Every integration test class joins this collection: one <see cref="Servers"/> per run, tests in sequence.</summary>
[CollectionDefinition(Name)]
public sealed class ServersGroup : ICollectionFixture<Servers>
{
    public const string Name = "servers";
}
