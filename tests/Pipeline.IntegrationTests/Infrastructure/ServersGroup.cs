namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>
/// The first of the two collections integration test classes join: each collection gets its own <see cref="Servers"/>
/// (its own RabbitMQ virtual host, results schema and gates directory), its tests run in sequence, and the two
/// collections run side by side. Most of a test's time is spent waiting on worker processes and servers, so two at once
/// halve the integration lane without contending for the machine's cores much.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ServersGroup : ICollectionFixture<Servers>
{
    public const string Name = "servers";
}
