using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Pipeline.RabbitMq;

/// <summary>
/// The RabbitMQ management HTTP API, as the AMQP connection string's user. Operators watch the same numbers in the
/// management UI; hosts use it to find every pool queue after all of them restarted.
/// </summary>
internal sealed class ManagementApi : IDisposable
{
    private const string Columns = "name,messages,messages_ready,messages_unacknowledged,consumers,arguments,idle_since";

    // RabbitMQ 3.x writes idle_since as "2026-11-22 21:40:08" in UTC; later versions may write ISO 8601.
    private static readonly string[] IdleSinceFormats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK"];

    // A node that does not answer (stopped, or behind a cut link) is left for the next after this long.
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly IReadOnlyList<Uri> _nodes;
    private readonly string _user;
    private readonly string _virtualHost;
    private int _current;

    public ManagementApi(IOptions<RabbitMqOptions> options)
        : this(options, new HttpClientHandler())
    {
    }

    /// <param name="options">The options; the credentials come from the AMQP connection string.</param>
    /// <param name="handler">The HTTP handler, disposed with this instance.</param>
    public ManagementApi(IOptions<RabbitMqOptions> options, HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        var settings = options.Value;
        var (user, password) = settings.Credentials;
        _user = user;
        _virtualHost = settings.VirtualHost;
        _nodes = settings.ManagementEndpoints;
        _http = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    /// <summary>The node the last answer came from (the first listed until one failed).</summary>
    internal Uri CurrentNode => _nodes[Volatile.Read(ref _current)];

    /// <summary>
    /// Lists the pool queues of the connection string's virtual host: those with an <c>x-pipeline-app</c> argument.
    /// The statistics lag: RabbitMQ samples them every <c>collect_statistics_interval</c> (5 s by default), so a queue
    /// declared a moment ago may be missing or show zeros for a few seconds. For a count that must be current, use
    /// <see cref="BrokerTopology.PeekAsync"/>. In a cluster, a node that does not answer is skipped for the next one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The API refused the credentials, or no node's API is reachable.</exception>
    public async Task<IReadOnlyList<QueueInfo>> ListPoolQueuesAsync(CancellationToken cancellationToken)
    {
        var path = $"api/queues/{Uri.EscapeDataString(_virtualHost)}?columns={Columns}";
        var response = await GetFromAnyNodeAsync(path, cancellationToken).ConfigureAwait(false);
        var node = CurrentNode;
        using (response)
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.Unauthorized:
                    throw new InvalidOperationException(
                        $"The management API at {node} refused the credentials of {RabbitMqOptions.SectionName}:ConnectionString " +
                        $"for user '{_user}' (401): check the password, and that the user has the 'management' or 'monitoring' tag.");
                case HttpStatusCode.NotFound:
                    throw new InvalidOperationException(
                        $"The management API at {node} knows no virtual host '{_virtualHost}' (404): " +
                        $"check the path of {RabbitMqOptions.SectionName}:ConnectionString.");
                default:
                    response.EnsureSuccessStatusCode();
                    break;
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                return Read(document.RootElement);
            }
        }
    }

    /// <summary>
    /// Lists the containers running across all hosts, from their lease queues (<c>&lt;pool&gt;.lease-&lt;k&gt;</c> with
    /// <c>x-pipeline-host</c>): pool, slot, host and GPU indices. Lags like <see cref="ListPoolQueuesAsync"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The API refused the credentials, or no node's API is reachable.</exception>
    public async Task<IReadOnlyList<ContainerLease>> ListContainersAsync(CancellationToken cancellationToken)
    {
        var path = $"api/queues/{Uri.EscapeDataString(_virtualHost)}?columns=name,arguments";
        var response = await GetFromAnyNodeAsync(path, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            response.EnsureSuccessStatusCode();
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                return ReadContainers(document.RootElement);
            }
        }
    }

    /// <summary>Reads the container leases out of an <c>api/queues</c> answer.</summary>
    internal static IReadOnlyList<ContainerLease> ReadContainers(JsonElement queues)
    {
        var containers = new List<ContainerLease>();
        foreach (var queue in queues.EnumerateArray())
        {
            var name = queue.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            var mark = name.LastIndexOf(".lease-", StringComparison.Ordinal);
            if (mark <= 0 || !queue.TryGetProperty("arguments", out var arguments) || arguments.ValueKind != JsonValueKind.Object ||
                !arguments.TryGetProperty(PoolQueueArguments.LeaseHost, out var host) ||
                !int.TryParse(name.AsSpan(mark + ".lease-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var slot))
            {
                continue;
            }

            var gpus = arguments.TryGetProperty(PoolQueueArguments.LeaseGpus, out var g) ? g.GetString() ?? "" : "";
            containers.Add(new ContainerLease(name[..mark], slot, host.GetString() ?? "", gpus));
        }

        return containers;
    }

    // Starts at the node that answered last and moves on, round the list once, past nodes that refuse or time out.
    private async Task<HttpResponseMessage> GetFromAnyNodeAsync(string path, CancellationToken cancellationToken)
    {
        var start = Volatile.Read(ref _current);
        Exception? last = null;
        for (var i = 0; i < _nodes.Count; i++)
        {
            var index = (start + i) % _nodes.Count;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_nodes.Count > 1)
            {
                // With one node there is nowhere to move on to: the caller's own deadline (the CLI's, the reconciler's) decides.
                attempt.CancelAfter(NodeTimeout);
            }

            try
            {
                var response = await _http.GetAsync(new Uri(_nodes[index], path), attempt.Token).ConfigureAwait(false);
                Volatile.Write(ref _current, index);
                return response;
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError || e.InnerException is SocketException)
            {
                last = e;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e;
            }
        }

        if (last is OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"The RabbitMQ management API at {string.Join(", ", _nodes)} did not answer within {NodeTimeout.TotalSeconds:0} s a node: " +
                $"check that the nodes run and that {RabbitMqOptions.SectionName}:ManagementUris lists them.",
                last);
        }

        throw new InvalidOperationException(
            $"Could not connect to the RabbitMQ management API at {string.Join(", ", _nodes)}: is the management plugin enabled? " +
            "(rabbitmq-plugins enable rabbitmq_management; locally, run infra/up.sh) " +
            $"Set {RabbitMqOptions.SectionName}:ManagementUri (one node) or :ManagementUris (every node of a cluster) if it listens elsewhere.",
            last);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>Reads the pool queues out of an <c>api/queues</c> answer.</summary>
    internal static IReadOnlyList<QueueInfo> Read(JsonElement queues)
    {
        var pools = new List<QueueInfo>();
        foreach (var queue in queues.EnumerateArray())
        {
            if (!queue.TryGetProperty("arguments", out var arguments)
                || arguments.ValueKind != JsonValueKind.Object
                || !arguments.TryGetProperty(PoolQueueArguments.App, out _))
            {
                continue;
            }

            pools.Add(new QueueInfo(
                queue.GetProperty("name").GetString() ?? "",
                Number(queue, "messages"),
                Number(queue, "messages_ready"),
                Number(queue, "messages_unacknowledged"),
                (int)Number(queue, "consumers"),
                ReadArguments(arguments),
                IdleSince(queue)));
        }

        return pools;
    }

    // A queue the statistics collector has not sampled yet has no counters at all.
    private static long Number(JsonElement queue, string property) =>
        queue.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private static Dictionary<string, object?> ReadArguments(JsonElement arguments)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var argument in arguments.EnumerateObject())
        {
            var value = argument.Value;
            result[argument.Name] = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number when value.TryGetInt64(out var integer) => integer,
                JsonValueKind.Number => value.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => value.GetRawText(),
            };
        }

        return result;
    }

    private static DateTimeOffset? IdleSince(JsonElement queue) =>
        queue.TryGetProperty("idle_since", out var value)
        && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParseExact(
            value.GetString(),
            IdleSinceFormats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var idleSince)
            ? idleSince
            : null;
}
