namespace Pipeline.RabbitMq.Tests;

/// <summary>The tests that need the real broker; they share one <see cref="BrokerFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class BrokerTests : ICollectionFixture<BrokerFixture>
{
    public const string Name = "broker";
}
