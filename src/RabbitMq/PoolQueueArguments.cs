using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipeline.Messages.Invocations;

namespace Pipeline.RabbitMq;

/// <summary>
/// The queue arguments of a pool queue. The <c>x-pipeline-*</c> ones describe the pool, so an operator reads it in the
/// management UI (each parameter as its own <c>x-pipeline-param.&lt;name&gt;</c>, see <see cref="PoolParameterArguments"/>)
/// and a host that restarted rebuilds the <see cref="PoolDemanded"/> notice from the broker alone (from
/// <c>x-pipeline-parameters</c>, the JSON, which a queue declared by an older version has alone);
/// RabbitMQ ignores unknown arguments when it compares a redeclaration, so a MassTransit endpoint that does not
/// repeat them still agrees. The quorum ones RabbitMQ does compare: an endpoint must repeat them exactly.
/// </summary>
internal static class PoolQueueArguments
{
    public const string App = "x-pipeline-app";
    public const string Kind = "x-pipeline-kind";
    public const string Target = "x-pipeline-target";
    public const string Parameters = "x-pipeline-parameters";
    public const string QueueType = "x-queue-type";
    public const string DeliveryLimit = "x-delivery-limit";
    public const string DeadLetterExchange = "x-dead-letter-exchange";
    public const string DeadLetterRoutingKey = "x-dead-letter-routing-key";

    /// <summary>On a lease queue (<c>&lt;queue&gt;.lease-&lt;k&gt;</c>): the host (machine:pid) running that container.</summary>
    public const string LeaseHost = "x-pipeline-host";

    /// <summary>On a lease queue: the GPU indices the container holds, comma-separated (empty on a CPU slot).</summary>
    public const string LeaseGpus = "x-pipeline-gpus";

    public const string FunctionKind = "function";
    public const string ClassKind = "class";

    /// <summary>MassTransit's error queue suffix (its default error queue name formatter).</summary>
    public const string ErrorSuffix = "_error";

    /// <summary>
    /// Arguments of the pool queue that its <c>_error</c> (and <c>_skipped</c>) queue must not have. MassTransit copies
    /// every queue argument of an endpoint to those queues; an endpoint that sets <see cref="For"/> should remove these
    /// from them (<c>SendTopology.ConfigureErrorSettings = s =&gt; s.SetQueueArgument(key, null)</c>), or the error
    /// queue would look like a pool and dead-letter into itself.
    /// </summary>
    public static IReadOnlyList<string> PoolOnly { get; } =
        [App, Kind, Target, Parameters, DeliveryLimit, DeadLetterExchange, DeadLetterRoutingKey];

    /// <summary>The name of a pool's error queue (and of the exchange in front of it).</summary>
    public static string ErrorQueue(string queue) => queue + ErrorSuffix;

    /// <summary>The arguments to declare the pool queue of <paramref name="demand"/> with.</summary>
    public static IDictionary<string, object?> For(PoolDemanded demand, RabbitMqOptions options)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(options);
        var (kind, target) = (demand.Class, demand.Function) switch
        {
            ({ } cls, null) => (ClassKind, cls),
            (null, { } function) => (FunctionKind, function),
            _ => throw new ArgumentException(
                $"Pool '{demand.Queue}' must name exactly one of a class and a function.", nameof(demand)),
        };

        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [App] = demand.App,
            [Kind] = kind,
            [Target] = target,
            [Parameters] = kind == ClassKind && demand.Parameters is { } parameters ? Compact(parameters) : "{}",
        };

        // One argument per parameter as well, for people: the UI shows the JSON above with its quotes escaped.
        if (kind == ClassKind && demand.Parameters is { ValueKind: JsonValueKind.Object } set)
        {
            foreach (var (key, value) in PoolParameterArguments.For(demand.Queue, set))
            {
                arguments[key] = value;
            }
        }

        if (options.QueueType == RabbitMqQueueType.Quorum)
        {
            arguments[QueueType] = "quorum";
            arguments[DeliveryLimit] = options.DeliveryLimit;

            // "" is the default exchange: it routes by queue name, straight to the error queue.
            arguments[DeadLetterExchange] = "";
            arguments[DeadLetterRoutingKey] = ErrorQueue(demand.Queue);
        }

        return arguments;
    }

    /// <summary>
    /// The arguments of a pool's <c>_error</c> queue: only the queue type, the one argument it shares with the pool;
    /// no delivery limit, because an operator reads the error queue again and again before replaying it.
    /// </summary>
    public static IDictionary<string, object?> ForErrorQueue(RabbitMqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (options.QueueType == RabbitMqQueueType.Quorum)
        {
            arguments[QueueType] = "quorum";
        }

        return arguments;
    }

    /// <summary>
    /// Rebuilds the notice of a pool from its queue's arguments, as RabbitMQ.Client (strings as <c>byte[]</c>) or the
    /// management API (strings) gives them back.
    /// </summary>
    /// <returns>The notice; <see langword="null"/> when the queue is not a pool or its arguments are not readable.</returns>
    public static PoolDemanded? TryRead(string queue, IReadOnlyDictionary<string, object?> arguments)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(arguments);

        // Pool names never hold '_' (QueueNames): this keeps out the _error and _skipped queues, to which MassTransit
        // copies the pool's arguments.
        if (queue.Length == 0 || queue.Contains('_', StringComparison.Ordinal)
            || Text(arguments, App) is not { Length: > 0 } app
            || Text(arguments, Target) is not { Length: > 0 } target)
        {
            return null;
        }

        switch (Text(arguments, Kind))
        {
            case FunctionKind:
                return new PoolDemanded { Queue = queue, App = app, Function = target };
            case ClassKind:
                try
                {
                    using var document = JsonDocument.Parse(Text(arguments, Parameters) ?? "{}");
                    return document.RootElement.ValueKind == JsonValueKind.Object
                        ? new PoolDemanded { Queue = queue, App = app, Class = target, Parameters = document.RootElement.Clone() }
                        : null;
                }
                catch (JsonException)
                {
                    return null;
                }

            default:
                return null;
        }
    }

    private static string Compact(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("Pool parameters must be a JSON object.", nameof(parameters));
        }

        // Relaxed escaping keeps non-ASCII values readable in the management UI, which escapes HTML itself.
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            parameters.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string? Text(IReadOnlyDictionary<string, object?> arguments, string key) =>
        arguments.TryGetValue(key, out var value)
            ? value switch
            {
                string text => text,
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                ReadOnlyMemory<byte> memory => Encoding.UTF8.GetString(memory.Span),
                JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
                _ => null,
            }
            : null;
}
