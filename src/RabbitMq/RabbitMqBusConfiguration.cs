using System.Globalization;
using MassTransit;

namespace Pipeline.RabbitMq;

/// <summary>Points a MassTransit bus at the broker in <see cref="RabbitMqOptions"/>, the same way for hosts and clients.</summary>
internal static class RabbitMqBusConfiguration
{
    public static void UseBroker(this IRabbitMqBusFactoryConfigurator transport, RabbitMqOptions options)
    {
        var uri = options.AmqpUri;
        var (user, password) = options.Credentials;
        var tls = uri.Scheme == "amqps";
        var nodes = options.Nodes;
        var (firstHost, firstPort) = nodes[0];
        // Named per process (ConnectionNames): the management API then tells which process's bus is on which node.
        transport.Host(firstHost, (ushort)firstPort, options.VirtualHost, ConnectionNames.Of(ConnectionNames.Bus), host =>
        {
            host.Username(user);
            host.Password(password);
            host.Heartbeat(options.Heartbeat);
            if (tls)
            {
                host.UseSsl(ssl => ssl.ServerName = firstHost);
            }

            if (options.Endpoints.Count > 0)
            {
                // A connection goes to a node that answers and, after losing it, to another: every node is listed,
                // the first one included (MassTransit then connects through the list, not the host above).
                host.UseCluster(cluster =>
                {
                    foreach (var (name, port) in nodes)
                    {
                        cluster.Node(string.Create(
                            CultureInfo.InvariantCulture,
                            $"{(name.Contains(':', StringComparison.Ordinal) ? $"[{name}]" : name)}:{port}"));
                    }
                });
            }
        });
    }
}
