using System.Net.Sockets;
using Npgsql;
using Pipeline.RabbitMq;
using Pipeline.Results;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Cli.Hosting;

/// <summary>
/// Turns "the server is not there" into one line that names the server, the address, the cause and the fix (exit code 3),
/// never showing a password.
/// </summary>
internal static class Reachability
{
    private const string RabbitFix = "start it with infra/up.sh or set PIPELINE_RABBITMQ (or --rabbitmq)";
    private const string PostgresFix = "start it with infra/up.sh or set PIPELINE_POSTGRES (or --postgres)";

    /// <summary>Opens an AMQP connection of the command's own (for checking the broker, reading and replaying queues).</summary>
    /// <exception cref="CliException">The broker cannot be reached or refused the credentials or the virtual host.</exception>
    public static async Task<IConnection> ConnectAsync(RabbitMqOptions options, CancellationToken cancellationToken)
    {
        var uri = options.AmqpUri;
        var factory = new ConnectionFactory
        {
            Uri = uri,
            ClientProvidedName = "pipeline-cli",
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
        };
        try
        {
            return await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerUnreachableException e)
        {
            throw new CliException(DescribeRabbitMq(e, options), ExitCodes.Unreachable);
        }
    }

    /// <summary>Checks that the broker answers, then closes the connection again.</summary>
    public static async Task CheckRabbitMqAsync(RabbitMqOptions options, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The one line for an exception that means PostgreSQL is unreachable; null for any other exception.</summary>
    public static string? DescribePostgres(Exception exception, PostgresResultStoreOptions options)
    {
        var where = PostgresAddress(options);
        return exception switch
        {
            PostgresException { SqlState: "28P01" or "28000" } => $"PostgreSQL at {where} refused the user or password ({((PostgresException)exception).MessageText}); fix PIPELINE_POSTGRES (or --postgres)",
            PostgresException { SqlState: "3D000" } => $"PostgreSQL at {where}: {((PostgresException)exception).MessageText}; fix the Database in PIPELINE_POSTGRES (or --postgres)",
            PostgresException => null,
            NpgsqlException npgsql => $"cannot reach PostgreSQL at {where} ({Cause(npgsql)}); {PostgresFix}",
            _ => null,
        };
    }

    private static string DescribeRabbitMq(BrokerUnreachableException exception, RabbitMqOptions options)
    {
        var uri = options.AmqpUri;
        var where = $"{uri.Host}:{(uri.Port > 0 ? uri.Port : uri.Scheme == "amqps" ? 5671 : 5672)}";
        var user = options.Credentials.User;
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case AuthenticationFailureException:
                    return $"RabbitMQ at {where} refused user '{user}' (wrong user or password); fix the credentials in PIPELINE_RABBITMQ (or --rabbitmq)";
                case OperationInterruptedException { ShutdownReason.ReplyCode: Constants.NotAllowed or Constants.AccessRefused }:
                    return $"RabbitMQ at {where} refused virtual host '{options.VirtualHost}' for user '{user}' (it does not exist, or the user may not use it); fix the path of PIPELINE_RABBITMQ (or --rabbitmq)";
                case SocketException socket:
                    return $"cannot reach RabbitMQ at {where} ({Describe(socket)}); {RabbitFix}";
            }
        }

        return $"cannot reach RabbitMQ at {where} ({Cause(exception)}); {RabbitFix}";
    }

    private static string PostgresAddress(PostgresResultStoreOptions options)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(options.EffectiveConnectionString);
            return $"{builder.Host}:{builder.Port}";
        }
        catch (ArgumentException)
        {
            return "(the configured server)";
        }
    }

    private static string Cause(Exception exception)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return Describe(socket);
            }

            if (inner is TimeoutException)
            {
                return "timed out";
            }
        }

        return exception.InnerException?.Message ?? exception.Message;
    }

    private static string Describe(SocketException socket) => socket.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
        SocketError.TimedOut => "timed out",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
        _ => socket.Message,
    };
}
