using System.Collections.Concurrent;
using MassTransit;
using Pipeline.Consumers.Replies;
using Pipeline.RabbitMq;

namespace Pipeline.WorkerHost.RabbitMq;

/// <summary>
/// Checks a reply address the way MassTransit will use it: it reads the address as MassTransit does (exchange name,
/// type, durable, auto-delete, bound queue) and declares exactly that on the topology connection's own channel. What
/// passes can then be declared again by the send without a refusal. A good answer is remembered for a few seconds, so
/// a busy caller costs one declare per interval, not one per reply.
/// </summary>
internal sealed class RabbitMqReplyAddresses(BrokerTopology topology, IBus bus, TimeProvider time) : IReplyAddressCheck
{
    private static readonly TimeSpan Remembered = TimeSpan.FromSeconds(10);
    private const int MaxRemembered = 4096;
    private readonly ConcurrentDictionary<Uri, DateTimeOffset> _good = new();

    public async ValueTask<string?> ProblemAsync(Uri address, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_good.TryGetValue(address, out var until) && until > now)
        {
            return null;
        }

        RabbitMqEndpointAddress target;
        try
        {
            target = new RabbitMqEndpointAddress(bus.Address, address);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or InvalidOperationException)
        {
            return $"'{address}' is not a RabbitMQ address ({e.Message}).";
        }

        if (string.IsNullOrEmpty(target.Name))
        {
            return $"'{address}' names no exchange.";
        }

        var problem = await topology.TryDeclareReplyAsync(
            target.Name,
            target.ExchangeType ?? "fanout",
            target.Durable,
            target.AutoDelete,
            target.BindToQueue ? target.QueueName ?? target.Name : null,
            cancellationToken).ConfigureAwait(false);
        if (problem is null)
        {
            if (_good.Count >= MaxRemembered)
            {
                _good.Clear();
            }

            _good[address] = now + Remembered;
        }

        return problem;
    }
}
