using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.IntegrationTests.Contracts;

namespace Pipeline.IntegrationTests.App;

/// <summary>
/// A class built by the worker host's services: a logger, an options object, a service the app registered and its
/// parameters record (so it declares no [Parameter] members).
/// </summary>
[Cls]
public sealed partial class InjectedModel(
    ILogger<InjectedModel> logger,
    IOptions<GreetingOptions> options,
    Greeter greeter,
    InjectedModelParameters parameters) : IInjectedModel
{
    private readonly Guid _instance = Guid.NewGuid();

    [Enter]
    public void Load() => Loaded(logger, parameters.Name);

    /// <inheritdoc />
    public string Greet(string who)
    {
        Greeted(logger, parameters.Name, who);
        return $"{greeter.Hello(who)}{options.Value.Punctuation} ({parameters.Name}, greeter {greeter.Id})";
    }

    /// <inheritdoc />
    public InjectedDescription Describe(string who) =>
        new(parameters, $"{greeter.Hello(who)}{options.Value.Punctuation}", ContainerContext.Current!.Queue, _instance);

    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "injected-model {Name} loaded")]
    private static partial void Loaded(ILogger logger, string name);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "injected-model {Name} greeted {Who}")]
    private static partial void Greeted(ILogger logger, string name, string who);
}
