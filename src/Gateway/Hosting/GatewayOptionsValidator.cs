using Microsoft.Extensions.Options;

namespace Pipeline.Gateway.Hosting;

/// <summary>Checks the gateway's options in effect when the host starts; each message names its key.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options) =>
        options.Validate().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
