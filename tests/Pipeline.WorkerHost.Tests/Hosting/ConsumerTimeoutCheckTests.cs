using Pipeline.Consumers.Discovery;
using Pipeline.WorkerHost.Hosting;

namespace Pipeline.WorkerHost.Tests.Hosting;

public sealed class ConsumerTimeoutCheckTests
{
    [Fact]
    public void Problems_FunctionLongerThanConsumerTimeout_NamesTheFunctionAndBothNumbers()
    {
        var registry = AppDiscovery.Discover([typeof(LongJobs)]);

        var problem = Assert.Single(ConsumerTimeoutCheck.Problems(registry, TimeSpan.FromMinutes(30)));

        Assert.Contains("long.train", problem, StringComparison.Ordinal);
        Assert.Contains("02:00:00", problem, StringComparison.Ordinal);
        Assert.Contains("00:30:00", problem, StringComparison.Ordinal);
        Assert.Contains("Pipeline:RabbitMq:ConsumerTimeout", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_BrokerAllowsTheLongestTimeout_None()
    {
        var registry = AppDiscovery.Discover([typeof(LongJobs)]);

        Assert.Empty(ConsumerTimeoutCheck.Problems(registry, TimeSpan.FromHours(25)));
    }

    [App("long")]
    public static class LongJobs
    {
        [Function(Timeout = "02:00:00")]
        public static int Train(int epochs) => epochs;

        [Function]
        public static int Quick(int x) => x;
    }
}
