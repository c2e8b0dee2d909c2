using Microsoft.Extensions.Options;
using Pipeline.RabbitMq;

namespace Pipeline.Client.Hosting;

/// <summary>Checks the broker settings in effect when the host starts; each message names its key.</summary>
internal sealed class RabbitMqOptionsValidator : IValidateOptions<RabbitMqOptions>
{
    public ValidateOptionsResult Validate(string? name, RabbitMqOptions options) =>
        options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
