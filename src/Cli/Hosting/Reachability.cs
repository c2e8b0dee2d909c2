using System.Globalization;
using System.Net.Sockets;
using Npgsql;
using Pipeline.RabbitMq;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Cli.Hosting;

/// <summary>
/// Turns "the server is not there" into one line that names the server, the address, the cause and the setting to fix
/// (exit code 3), never showing a password. Every check is bounded by the deadline it is given
/// (<see cref="CliSettings.ConnectTimeout"/>, <see cref="DefaultDeadline"/> unless configured), whatever the cause:
/// a refused port, refused credentials, a virtual host or database that does not exist, a host name that does not
/// resolve, or a server that accepts the connection and never answers.
/// </summary>
internal static class Reachability
{
    /// <summary>How long a verb waits for a server to answer before it says it is unreachable, unless configured.</summary>
    /// <remarks>
    /// A refused port, refused credentials or an unknown virtual host answer at once; the deadline is for a server that
    /// never answers, and is generous because a process starting on a loaded machine is slow to connect even locally.
    /// </remarks>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(15);

    // The part of the deadline the clients enforce themselves (two thirds); the deadline covers what they do not
    // (name lookup).
    private static TimeSpan SocketTimeout(TimeSpan deadline) => deadline * 2 / 3;

    /// <summary>
    /// Opens an AMQP connection of the command's own (for checking the broker, reading and replaying queues), and proves
    /// it usable by opening a channel: RabbitMQ answers a virtual host it does not know by closing the connection
    /// right after opening it, which a bare connect does not notice. With <c>Pipeline:RabbitMq:Endpoints</c> it tries
    /// every node in order (each within the deadline) and uses the first that answers; the nodes it could not
    /// reach are named on standard error, and when none answers the error names each node with its cause.
    /// </summary>
    /// <exception cref="CliException">No node can be reached, or one refused the credentials or the virtual host.</exception>
    public static async Task<IConnection> ConnectAsync(RabbitMqOptions options, string source, TimeSpan deadlineAfter, CancellationToken cancellationToken)
    {
        var nodes = options.Nodes;
        var failures = new List<string>(nodes.Count);
        foreach (var (host, port) in nodes)
        {
            var where = Address(host, port);
            var factory = new ConnectionFactory
            {
                Uri = options.AmqpUri,
                ClientProvidedName = "pipeline-cli",
                AutomaticRecoveryEnabled = false,
                TopologyRecoveryEnabled = false,
                RequestedConnectionTimeout = SocketTimeout(deadlineAfter),
                HandshakeContinuationTimeout = SocketTimeout(deadlineAfter),
                ContinuationTimeout = SocketTimeout(deadlineAfter),
            };
            factory.HostName = host;
            factory.Port = port;
            if (factory.Ssl.Enabled)
            {
                factory.Ssl.ServerName = host;
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(deadlineAfter);
            IConnection? connection = null;
            try
            {
                // WaitAsync as well as the token: a name lookup does not observe it.
                connection = await factory.CreateConnectionAsync(deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
                var probe = await connection.CreateChannelAsync(cancellationToken: deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
                await probe.DisposeAsync().ConfigureAwait(false);
                if (failures.Count > 0)
                {
                    await Console.Error.WriteLineAsync(
                        $"warning: RabbitMQ node(s) not reachable: {string.Join("; ", failures)}; connected to {where}").ConfigureAwait(false);
                }

                return connection;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }

                // Users and virtual hosts are the cluster's, not a node's: another node would refuse the same way.
                if (e is not OperationCanceledException && DescribeRefusal(e, options, where, source, connection?.CloseReason) is { } refusal)
                {
                    throw new CliException(refusal, ExitCodes.Unreachable);
                }

                failures.Add(e is OperationCanceledException
                    ? $"{where} did not answer within {Seconds(deadlineAfter)}"
                    : $"{where} ({Cause(e)})");
            }
        }

        if (nodes.Count == 1)
        {
            var where = Address(nodes[0].Host, nodes[0].Port);
            throw new CliException(
                failures[0].StartsWith(where + " did not answer", StringComparison.Ordinal)
                    ? $"RabbitMQ at {failures[0]}; check that it runs and that {source} names it"
                    : $"cannot reach RabbitMQ at {failures[0]}; start it with infra/up.sh or fix {source}",
                ExitCodes.Unreachable);
        }

        throw new CliException(
            $"cannot reach any of the {nodes.Count} RabbitMQ nodes of {RabbitMqOptions.SectionName}:Endpoints: {string.Join("; ", failures)}; " +
            $"start them (infra/cluster.sh up) or fix {RabbitMqOptions.SectionName}:Endpoints",
            ExitCodes.Unreachable);
    }

    /// <summary>Checks that the broker answers and takes the credentials and the virtual host, then closes the connection again.</summary>
    public static async Task CheckRabbitMqAsync(RabbitMqOptions options, string source, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(options, source, deadline, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Checks that PostgreSQL answers and takes the credentials and the database, within <paramref name="deadlineAfter"/>.</summary>
    /// <exception cref="CliException">It cannot be reached or refused the connection.</exception>
    public static async Task CheckPostgresAsync(string connectionString, string source, TimeSpan deadlineAfter, CancellationToken cancellationToken)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{source} is not a PostgreSQL connection string ({e.Message}); write Host=...;Port=...;Username=...;Password=...;Database=...", ExitCodes.Usage);
        }

        builder.Timeout = Math.Min(builder.Timeout, Math.Max(1, (int)SocketTimeout(deadlineAfter).TotalSeconds));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(deadlineAfter);
        // Only the server's answer to the login matters here: loading its type catalogue (Npgsql's first open) took
        // longer than the whole deadline on a busy server.
        var sources = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        sources.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        var dataSource = sources.Build();
        var connection = dataSource.CreateConnection();
        var open = connection.OpenAsync(deadline.Token);
        try
        {
            await open.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A connection still opening cannot be closed: it is disposed when its open ends, whichever way.
            _ = open.ContinueWith(_ => connection.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            _ = open.ContinueWith(_ => dataSource.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            var where = $"{builder.Host}:{builder.Port}";
            throw new CliException(
                e is OperationCanceledException
                    ? $"PostgreSQL at {where} did not answer within {Seconds(deadlineAfter)}; check that it runs and that {source} names it"
                    : DescribePostgres(e, where, builder, source),
                ExitCodes.Unreachable);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        await dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A deadline as an error message gives it: <c>15 s</c>, <c>2.5 s</c>.</summary>
    public static string Seconds(TimeSpan deadline) => string.Create(CultureInfo.InvariantCulture, $"{deadline.TotalSeconds:0.###} s");

    /// <summary>The one line for an exception that means PostgreSQL is unreachable; null for any other exception.</summary>
    public static string? DescribePostgres(Exception exception, string connectionString, string source)
    {
        if (Inner<NpgsqlException>(exception) is not { } npgsql || npgsql is PostgresException { SqlState: not ("28P01" or "28000" or "3D000" or "53300" or "57P03") })
        {
            return null;
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return DescribePostgres(npgsql, $"{builder.Host}:{builder.Port}", builder, source);
        }
        catch (ArgumentException)
        {
            return DescribePostgres(npgsql, "(the configured server)", new NpgsqlConnectionStringBuilder(), source);
        }
    }

    private static string DescribePostgres(Exception exception, string where, NpgsqlConnectionStringBuilder builder, string source) => Inner<NpgsqlException>(exception) switch
    {
        PostgresException { SqlState: "28P01" or "28000" } e => $"PostgreSQL at {where} refused user '{builder.Username}' ({e.MessageText}); fix the user or password in {source}",
        PostgresException { SqlState: "3D000" } e => $"PostgreSQL at {where}: {e.MessageText}; fix the Database in {source}",
        PostgresException { SqlState: "53300" } e => $"PostgreSQL at {where} has no connection left ({e.MessageText}); try again when fewer clients are connected",
        PostgresException e => $"PostgreSQL at {where} refused the connection ({e.SqlState}: {e.MessageText}); check {source}",
        _ => $"cannot reach PostgreSQL at {where} ({Cause(exception)}); start it with infra/up.sh or fix {source}",
    };

    // Refused credentials or virtual host, in one line; null for anything else (the node is unreachable).
    private static string? DescribeRefusal(Exception exception, RabbitMqOptions options, string where, string source, ShutdownEventArgs? closed)
    {
        var user = options.Credentials.User;
        var reason = closed ?? ShutdownOf(exception);
        if (Inner<AuthenticationFailureException>(exception) is not null || reason?.ReplyCode == Constants.AccessRefused)
        {
            return $"RabbitMQ at {where} refused user '{user}' (wrong user or password); fix the credentials in {source}";
        }

        if (reason?.ReplyCode == Constants.NotAllowed)
        {
            return $"RabbitMQ at {where} refused virtual host '{options.VirtualHost}' for user '{user}' ({reason.ReplyText}: it does not exist, or the user may not use it); " +
                $"fix the virtual host (the URI's path) in {source}, or create it (rabbitmqctl add_vhost, set_permissions)";
        }

        return null;
    }

    private static ShutdownEventArgs? ShutdownOf(Exception exception)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is OperationInterruptedException { ShutdownReason: { } reason } && reason.ReplyCode != 0)
            {
                return reason;
            }
        }

        return null;
    }

    private static string Address(string host, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}");

    private static T? Inner<T>(Exception exception)
        where T : Exception
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Cause(Exception exception)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException socket:
                    return Describe(socket);
                case TimeoutException:
                    return "timed out";
                case OperationInterruptedException { ShutdownReason: { ReplyCode: not 0 } reason }:
                    return $"{reason.ReplyCode} {reason.ReplyText}";
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
        SocketError.ConnectionReset => "connection reset",
        _ => socket.Message,
    };
}
