using Pipeline.Cli.Hosting;
using Pipeline.Client;

namespace Pipeline.Cli.Calls;

/// <summary>A client connected for one verb: the broker is checked first, so an unreachable one is one clear line.</summary>
internal static class ClientSession
{
    private static readonly TimeSpan BusStartDeadline = TimeSpan.FromSeconds(60);

    /// <param name="settings">The servers.</param>
    /// <param name="apps">The apps whose names and parameter defaults the client uses.</param>
    /// <param name="durableResults">Whether spawned calls are registered in PostgreSQL (spawn); a remote call needs no store.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    public static async Task<PipelineConnection> ConnectAsync(CliSettings settings, LoadedApps apps, bool durableResults, CancellationToken cancellationToken)
    {
        await Reachability.CheckRabbitMqAsync(settings.RabbitMq, settings.RabbitMqSource, settings.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        if (durableResults)
        {
            await Reachability.CheckPostgresAsync(settings.Results.EffectiveConnectionString, settings.PostgresSource, settings.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }

        // The servers answered a moment ago, so this is only a backstop against waiting without end: starting the bus
        // (topology, reply endpoint) takes far longer than a connect on a loaded machine.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(BusStartDeadline);
        try
        {
            return await PipelineConnection.ConnectAsync(settings.RabbitMq, apps.Manifests, durableResults ? settings.Results : null, new ClientWarnings(Console.Error), deadline.Token)
                .WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(
                $"RabbitMQ at {settings.RabbitMq.AmqpUri.Host} accepted a connection but the client could not start within {BusStartDeadline.TotalSeconds:0} s; check {settings.RabbitMqSource}",
                ExitCodes.Unreachable);
        }
    }
}
