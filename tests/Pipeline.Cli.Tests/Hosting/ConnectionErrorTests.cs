using Pipeline.Cli.Tests.Infrastructure;

namespace Pipeline.Cli.Tests.Hosting;

[Collection(CliGroup.Name)]
public sealed class ConnectionErrorTests(CliFixture cli)
{
    [Fact]
    public async Task Run_WrongBrokerPassword_SaysSoWithoutThePassword()
    {
        var broker = new UriBuilder(cli.Servers.RabbitMq) { Password = "not-the-password" };

        var run = await cli.RunAsync("pools", "--rabbitmq", broker.Uri.ToString());

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith($"error: RabbitMQ at {broker.Host}:{broker.Port} refused user '{broker.UserName}' (wrong user or password)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", run.Error, StringComparison.Ordinal);
    }
}
