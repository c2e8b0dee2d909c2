using Pipeline.Cli.Hosting;
using Pipeline.Client;

namespace Pipeline.Cli.Calls;

/// <summary>A client connected for one verb: the broker is checked first, so an unreachable one is one clear line.</summary>
internal static class ClientSession
{
    /// <param name="settings">The servers.</param>
    /// <param name="apps">The apps whose names and parameter defaults the client uses.</param>
    /// <param name="durableResults">Whether spawned calls are registered in PostgreSQL (spawn); a remote call needs no store.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    public static async Task<PipelineConnection> ConnectAsync(CliSettings settings, LoadedApps apps, bool durableResults, CancellationToken cancellationToken)
    {
        await Reachability.CheckRabbitMqAsync(settings.RabbitMq, cancellationToken).ConfigureAwait(false);
        return await PipelineConnection.ConnectAsync(settings.RabbitMq, apps.Manifests, durableResults ? settings.Results : null, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }
}
