using Pipeline.Consumers.Batching;
using Pipeline.Consumers.Discovery;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// What a broker must allow for batched methods, checked at start-up: a pool's prefetch must fit its batches (a host
/// sets it so, up to the most AMQP allows), and an input stays unacknowledged while it waits for its batch and while the
/// batch runs, which must end within the broker's <c>consumer_timeout</c>.
/// </summary>
internal static class BatchingCheck
{
    public static IReadOnlyList<string> Problems(AppRegistry registry, TimeSpan consumerTimeout)
    {
        var problems = new List<string>();
        foreach (var app in registry.Apps)
        {
            foreach (var cls in app.Classes.Values.Where(c => BatchCapacity.ForClass(c) > BatchCapacity.MaxPrefetch))
            {
                problems.Add($"{cls.App}.{cls.Name} needs a prefetch of {BatchCapacity.ForClass(cls)} to fit its [Batched] methods' batches (their MaxBatchSize summed, plus 1 for its other methods), " +
                    $"more than the {BatchCapacity.MaxPrefetch} a RabbitMQ consumer can be given. Lower MaxBatchSize, or split the class.");
            }

            var batched = app.Functions.Values.Concat(app.Classes.Values.SelectMany(c => c.Methods.Values)).Where(c => c.Batched is not null);
            foreach (var callable in batched)
            {
                var longest = TimeSpan.FromMilliseconds(callable.Batched!.WaitMs) + callable.Settings.Timeout;
                if (longest > consumerTimeout)
                {
                    problems.Add($"{callable.DisplayName} may hold an input {longest:c} (WaitMs {callable.Batched.WaitMs} for its batch, then Timeout {callable.Settings.Timeout:c}), longer than the broker's " +
                        $"consumer_timeout of {consumerTimeout:c} (Pipeline:RabbitMq:ConsumerTimeout). Raise consumer_timeout in rabbitmq.conf and that setting, or shorten WaitMs or Timeout.");
                }
            }
        }

        return problems;
    }
}
