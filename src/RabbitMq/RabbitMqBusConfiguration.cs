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
        var port = uri.Port > 0 ? uri.Port : tls ? 5671 : 5672;
        transport.Host(uri.Host, (ushort)port, options.VirtualHost, host =>
        {
            host.Username(user);
            host.Password(password);
            if (tls)
            {
                host.UseSsl(ssl => ssl.ServerName = uri.Host);
            }
        });
    }
}
