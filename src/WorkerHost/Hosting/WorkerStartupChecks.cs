using Microsoft.Extensions.Options;
using Pipeline.Consumers.Discovery;
using Pipeline.RabbitMq;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// The apps' checks against the broker settings, again when the host starts, on the options in effect: a value set
/// from code (<c>services.Configure&lt;RabbitMqOptions&gt;(...)</c>) is checked as one from configuration is.
/// </summary>
internal sealed class WorkerStartupChecks(AppRegistry registry) : IValidateOptions<RabbitMqOptions>
{
    public ValidateOptionsResult Validate(string? name, RabbitMqOptions options)
    {
        var problems = ConsumerTimeoutCheck.Problems(registry, options.ConsumerTimeout)
            .Concat(BatchingCheck.Problems(registry, options.ConsumerTimeout))
            .ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
