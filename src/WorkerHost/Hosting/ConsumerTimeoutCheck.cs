using Pipeline.Consumers.Discovery;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// An input stays unacknowledged while it runs, so a function may not run longer than the broker's
/// <c>consumer_timeout</c>: the broker would close the channel and deliver the input again, forever.
/// </summary>
internal static class ConsumerTimeoutCheck
{
    public static IReadOnlyList<string> Problems(AppRegistry registry, TimeSpan consumerTimeout)
    {
        return registry.AllSettings
            .Select(s => (DisplayName: s.Where, s.Settings.Timeout))
            .Where(t => t.Timeout > consumerTimeout)
            .Select(t => $"{t.DisplayName} has Timeout {t.Timeout:c}, longer than the broker's consumer_timeout of {consumerTimeout:c} " +
                "(Pipeline:RabbitMq:ConsumerTimeout). Raise consumer_timeout in rabbitmq.conf and that setting, or shorten the function's Timeout.")
            .ToList();
    }
}
