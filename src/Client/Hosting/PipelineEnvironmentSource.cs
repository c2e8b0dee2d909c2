using Microsoft.Extensions.Configuration;

namespace Pipeline.Client.Hosting;

/// <summary>Maps the <see cref="PipelineEnvironmentVariables"/> to their configuration keys.</summary>
/// <param name="read">Reads a variable; the process environment unless a test gives another.</param>
/// <param name="over">The configuration this one is put under, when it wraps one; its keys win, empty ones included.</param>
internal sealed class PipelineEnvironmentSource(Func<string, string?>? read = null, IConfiguration? over = null) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new PipelineEnvironmentProvider(read ?? Environment.GetEnvironmentVariable, over);
}
