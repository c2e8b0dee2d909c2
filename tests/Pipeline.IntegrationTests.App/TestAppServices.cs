using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.IntegrationTests.App;

/// <summary>The test app's own services, registered in the worker host that loads it.</summary>
public sealed class TestAppServices : IPipelineApp
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<Greeter>();
        services.AddOptions<GreetingOptions>().BindConfiguration(GreetingOptions.Section);
    }
}
