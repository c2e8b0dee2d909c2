using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Messages.Invocations;
using Pipeline.RabbitMq;
using Pipeline.Results;
using RabbitMQ.Client;

namespace Pipeline.Cli.DeadLetters;

/// <summary>
/// Sends a dead letter back to its pool as a fresh input: a new call id, attempt 1, no idempotency key (the key belongs
/// to the call that failed, and would make the host skip the replay as its duplicate), sent now. The copy is published
/// to the pool's exchange with <c>mandatory</c> and a publisher confirm; only then is the dead letter acknowledged.
/// A spawned call's new id is registered in the results store first, so <c>pipeline get &lt;new id&gt;</c> waits for it.
/// </summary>
internal sealed class Replay(ErrorQueue queue, RabbitMqOptions rabbit, Func<CancellationToken, Task<IResultStore>> results, TimeProvider time) : IAsyncDisposable
{
    /// <summary>MassTransit's message type of <see cref="RunInvocation"/> (docs/wire-format.md).</summary>
    public const string RunInvocationType = "urn:message:Pipeline.Messages.Invocations:RunInvocation";

    private readonly BrokerTopology _topology = new(Options.Create(rabbit), NullLogger<BrokerTopology>.Instance);
    private IResultStore? _results;
    private bool _poolChecked;

    /// <summary>Replays one letter; returns the new call id.</summary>
    public async Task<string> SendAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        var input = letter.Input ?? throw new InvalidOperationException("Only readable inputs are replayed.");
        var next = input with
        {
            CallId = "fc-" + Guid.NewGuid().ToString("N"),
            Attempt = 1,
            IdempotencyKey = null,
            SentAt = time.GetUtcNow(),
        };

        await EnsurePoolAsync(next, cancellationToken).ConfigureAwait(false);
        if (next.StoreResult)
        {
            _results ??= await results(cancellationToken).ConfigureAwait(false);
            await _results.RegisterAsync(next.CallId, cancellationToken).ConfigureAwait(false);
        }

        var properties = new BasicProperties
        {
            MessageId = Guid.NewGuid().ToString(),
            ContentType = "application/vnd.masstransit+json",
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?> { ["pipeline-replayed-from"] = input.CallId },
        };
        var envelope = new
        {
            messageId = properties.MessageId,
            messageType = new[] { RunInvocationType },
            message = JsonSerializer.SerializeToElement(next, PayloadJson.Options),
            sentTime = next.SentAt?.ToString("O", CultureInfo.InvariantCulture),
            headers = new Dictionary<string, string> { ["pipeline-replayed-from"] = input.CallId },
        };

        // Throws when the broker nacks or returns the copy: then the dead letter stays where it is.
        await queue.Channel.BasicPublishAsync(queue.Pool, routingKey: "", mandatory: true, properties, JsonSerializer.SerializeToUtf8Bytes(envelope), cancellationToken)
            .ConfigureAwait(false);
        await queue.AcknowledgeAsync(letter, cancellationToken).ConfigureAwait(false);
        return next.CallId;
    }

    public async ValueTask DisposeAsync()
    {
        await _topology.DisposeAsync().ConfigureAwait(false);
        if (_results is IAsyncDisposable results)
        {
            await results.DisposeAsync().ConfigureAwait(false);
        }
    }

    // An idle pool may have been deleted since its input died: declare it again (as a client does before its first
    // input) so the copy has a queue to land in and hosts find it. An existing queue is left as it is, whatever its type.
    private async Task EnsurePoolAsync(RunInvocation input, CancellationToken cancellationToken)
    {
        if (_poolChecked)
        {
            return;
        }

        if (await _topology.PeekAsync(queue.Pool, cancellationToken).ConfigureAwait(false) is null)
        {
            await _topology.DeclarePoolAsync(
                new PoolDemanded
                {
                    Queue = queue.Pool,
                    App = input.App,
                    Class = input.Class,
                    Function = input.Class is null ? input.Function : null,
                    Parameters = input.Parameters,
                },
                cancellationToken).ConfigureAwait(false);
        }

        _poolChecked = true;
    }
}
