using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pipeline.IntegrationTests.App;

/// <summary>A class built by the worker host's services: a logger, an options object and a service the app registered.</summary>
[Cls]
public sealed partial class InjectedModel(ILogger<InjectedModel> logger, IOptions<GreetingOptions> options, Greeter greeter)
{
    [Parameter] public required string Name { get; init; }

    [Enter]
    public void Load() => Loaded(logger, Name);

    /// <summary>Greets through the injected service, with the injected options' punctuation.</summary>
    [Method]
    public string Greet(string who)
    {
        Greeted(logger, Name, who);
        return $"{greeter.Hello(who)}{options.Value.Punctuation} ({Name}, greeter {greeter.Id})";
    }

    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "injected-model {Name} loaded")]
    private static partial void Loaded(ILogger logger, string name);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "injected-model {Name} greeted {Who}")]
    private static partial void Greeted(ILogger logger, string name, string who);
}
