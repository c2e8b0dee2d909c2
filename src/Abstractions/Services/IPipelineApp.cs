using Microsoft.Extensions.DependencyInjection;

namespace Pipeline;

/// <summary>
/// Registers an app's own services in the worker host that serves it, so its <c>[Cls]</c> classes and the classes
/// holding its <c>[Function]</c>s can take them in their constructors. Implement it on one public class with a public
/// parameterless constructor in the app assembly; the host finds it, builds it once at start-up and calls
/// <see cref="ConfigureServices"/> before its own registrations are final. An app that hosts itself can register its
/// services on the host builder instead (<c>builder.Services.Add...</c>).
/// <code>
/// public sealed class InferenceApp : IPipelineApp
/// {
///     public void ConfigureServices(IServiceCollection services) => services.AddSingleton&lt;ITokenizer, Tokenizer&gt;();
/// }
/// </code>
/// </summary>
public interface IPipelineApp
{
    /// <summary>Adds the app's services.</summary>
    /// <param name="services">The worker host's services.</param>
    void ConfigureServices(IServiceCollection services);
}
