using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pipeline.RabbitMq;

/// <summary>
/// How Pipeline reaches RabbitMQ and which kind of pool queues it declares; bound from the <c>Pipeline:RabbitMq</c> section.
/// </summary>
public sealed class RabbitMqOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pipeline:RabbitMq";

    /// <summary>
    /// The environment variable that fills <see cref="ConnectionString"/> when no configuration source sets it: mapped
    /// by Pipeline's configuration source (<c>AddPipelineEnvironment</c>, which <c>AddPipeline</c> adds), never read here.
    /// </summary>
    public const string EnvironmentVariable = "PIPELINE_RABBITMQ";

    /// <summary>The broker <c>infra/up.sh</c> starts, used when neither the setting nor the environment variable is set.</summary>
    public const string DefaultConnectionString = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>
    /// The AMQP URI, <c>amqp://user:password@host:port/vhost</c> (user, password and vhost URL-encoded; <c>amqps://</c> for TLS).
    /// Default: empty, meaning <c>amqp://guest:guest@127.0.0.1:5672/</c>. Bound from configuration, where the
    /// <c>PIPELINE_RABBITMQ</c> environment variable fills it unless a configuration source sets the key.
    /// It holds a password: Pipeline never logs it, only a redacted form.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The base URI of the management HTTP API. Default: <c>http://&lt;AMQP host&gt;:15672/</c>, or
    /// <c>https://&lt;AMQP host&gt;:15671/</c> for an <c>amqps://</c> connection string, so the credentials
    /// are not sent in clear text to a broker that is reached over TLS.
    /// </summary>
    public Uri? ManagementUri { get; set; }

    /// <summary>
    /// Every node of a RabbitMQ cluster as <c>host:port</c> (the port defaults to 5672, 5671 for <c>amqps://</c>), so
    /// clients and hosts connect to the first one that answers and fail over to another when theirs goes. When set,
    /// they replace the host and port of <see cref="ConnectionString"/>, which still gives the user, password, virtual
    /// host and TLS. Default: empty, meaning the one node of the connection string.
    /// </summary>
    public IList<string> Endpoints { get; } = [];

    /// <summary>
    /// The management API of every node, tried in order until one answers (the reconciler and <c>pipeline pools</c>
    /// use it). Default: empty, meaning <see cref="ManagementUri"/> when set, else port 15672 (15671 for
    /// <c>amqps://</c>) on the host of each AMQP node.
    /// </summary>
    public IList<Uri> ManagementUris { get; } = [];

    /// <summary>The queue type of pool queues. Default: <see cref="RabbitMqQueueType.Classic"/>.</summary>
    public RabbitMqQueueType QueueType { get; set; } = RabbitMqQueueType.Classic;

    /// <summary>
    /// For quorum pool queues: deliveries of one message before RabbitMQ dead-letters it to the pool's <c>_error</c> queue.
    /// Default: 20 (RabbitMQ 4's own default, made explicit so it dead-letters instead of dropping).
    /// </summary>
    public int DeliveryLimit { get; set; } = 20;

    /// <summary>
    /// The broker's <c>consumer_timeout</c>: how long RabbitMQ lets a consumer hold an unacknowledged input before it
    /// closes the channel and redelivers. A worker host refuses to start when a function's timeout exceeds it.
    /// RabbitMQ does not report it over its APIs, so set it to match the broker. Default 30 min (RabbitMQ's default);
    /// the broker <c>infra/</c> configures uses 25 h.
    /// </summary>
    public TimeSpan ConsumerTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a client waits for the broker to take what it sends (connecting, a spawned or remote call's input, a
    /// map's chunk, a cancel, a pool notice: declare and publisher confirm) before it throws
    /// <c>Pipeline.Client.BrokerUnavailableException</c>; a broker that refuses connections is tried again meanwhile.
    /// The wait for a remote call's reply is not part of it. Default 30 s; 1 s to 1 h.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The AMQP heartbeat every connection asks for (MassTransit's bus, the topology connection): how soon a host or
    /// client notices a broker it can no longer reach when no TCP close arrives (a cut link, a dead machine). RabbitMQ
    /// takes the smaller of this and the broker's own value; a connection is given up after missed heartbeats, and the
    /// broker requeues its unacknowledged inputs likewise. Whole seconds, 1 s to 10 min. Default 60 s (RabbitMQ's and
    /// MassTransit's default). The topology connection uses at most 10 s, so a vanished host's leases are freed soon.
    /// </summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The connection string in effect: the setting, else the default.</summary>
    internal string EffectiveConnectionString => ResolveConnectionString(ConnectionString, null);

    /// <summary>The parsed AMQP URI; throws with the message of <see cref="Validate"/> when it is not one.</summary>
    internal Uri AmqpUri => TryParseAmqp(EffectiveConnectionString, out var uri)
        ? uri
        : throw new InvalidOperationException(NotAmqpUri);

    /// <summary>The user and password from the URI's user info, URL-decoded; guest/guest when absent, as RabbitMQ.Client does.</summary>
    internal (string User, string Password) Credentials
    {
        get
        {
            var userInfo = AmqpUri.UserInfo;
            if (userInfo.Length == 0)
            {
                return ("guest", "guest");
            }

            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            return colon < 0
                ? (Uri.UnescapeDataString(userInfo), "guest")
                : (Uri.UnescapeDataString(userInfo[..colon]), Uri.UnescapeDataString(userInfo[(colon + 1)..]));
        }
    }

    /// <summary>The virtual host: the URI path without its leading slash, URL-decoded; <c>/</c> when empty.</summary>
    internal string VirtualHost
    {
        get
        {
            var path = AmqpUri.AbsolutePath.TrimStart('/');
            return path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
        }
    }

    /// <summary>The connection string with the password replaced by <c>***</c>: the only form that may be logged.</summary>
    internal string Redacted
    {
        get
        {
            if (!TryParseAmqp(EffectiveConnectionString, out var uri))
            {
                // An unparseable string may still hold a password: show nothing of it.
                return "(not an amqp:// URI)";
            }

            var userInfo = uri.UserInfo;
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            var shownUser = userInfo.Length == 0 ? "" : (colon < 0 ? userInfo : userInfo[..colon] + ":***") + "@";
            return $"{uri.Scheme}://{shownUser}{uri.Authority}{uri.PathAndQuery}";
        }
    }

    /// <summary>The management API base URI, ending in <c>/</c> so relative paths such as <c>api/queues</c> resolve below it.</summary>
    internal Uri ManagementEndpoint
    {
        get
        {
            if (ManagementUri is { } configured)
            {
                var text = configured.ToString();
                return text.EndsWith('/') ? configured : new Uri(text + "/");
            }

            var amqp = AmqpUri;
            var secure = amqp.Scheme == "amqps";
            return new Uri(string.Create(
                CultureInfo.InvariantCulture,
                $"{(secure ? "https" : "http")}://{amqp.Host}:{(secure ? 15671 : 15672)}/"));
        }
    }

    /// <summary>
    /// The AMQP nodes to connect to, in order: <see cref="Endpoints"/> when set, else the connection string's host and
    /// port. Throws with the message of <see cref="Validate"/> when one is not <c>host:port</c>.
    /// </summary>
    internal IReadOnlyList<(string Host, int Port)> Nodes
    {
        get
        {
            var amqp = AmqpUri;
            var defaultPort = amqp.Scheme == "amqps" ? 5671 : 5672;
            if (Endpoints.Count == 0)
            {
                return [(amqp.Host, amqp.Port > 0 ? amqp.Port : defaultPort)];
            }

            var nodes = new List<(string, int)>(Endpoints.Count);
            for (var i = 0; i < Endpoints.Count; i++)
            {
                nodes.Add(TryParseNode(Endpoints[i], defaultPort, out var node)
                    ? node
                    : throw new InvalidOperationException(NotANode(i, Endpoints[i])));
            }

            return nodes;
        }
    }

    /// <summary>The management API base URIs to try, in order, each ending in <c>/</c>; see <see cref="ManagementUris"/>.</summary>
    internal IReadOnlyList<Uri> ManagementEndpoints
    {
        get
        {
            if (ManagementUris.Count > 0)
            {
                return ManagementUris.Select(WithSlash).Distinct().ToList();
            }

            if (ManagementUri is not null || Endpoints.Count == 0)
            {
                return [ManagementEndpoint];
            }

            var secure = AmqpUri.Scheme == "amqps";
            return Nodes
                .Select(n => new Uri(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{(secure ? "https" : "http")}://{(n.Host.Contains(':', StringComparison.Ordinal) ? $"[{n.Host}]" : n.Host)}:{(secure ? 15671 : 15672)}/")))
                .Distinct()
                .ToList();
        }
    }

    private static Uri WithSlash(Uri uri)
    {
        var text = uri.ToString();
        return text.EndsWith('/') ? uri : new Uri(text + "/");
    }

    private static string NotANode(int index, string value) => string.Create(
        CultureInfo.InvariantCulture,
        $"{SectionName}:Endpoints:{index} ('{value}') is not host:port; list each cluster node as host:port, for example 'rabbit-1:5672'.");

    private static string NotAmqpUri => $"{SectionName}:ConnectionString is not an amqp:// or amqps:// URI";

    /// <summary>Checks the settings; each error names its key and never shows the password.</summary>
    /// <returns>The errors; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!TryParseAmqp(EffectiveConnectionString, out var amqp))
        {
            errors.Add($"{NotAmqpUri} (it is read from the setting, else from the {EnvironmentVariable} environment variable).");
        }
        else if (amqp.UserInfo.Split(':').Length > 2)
        {
            errors.Add($"{SectionName}:ConnectionString has more than one ':' in its user info; URL-encode ':' in the password as %3A.");
        }
        else if (amqp.AbsolutePath.TrimStart('/').Contains('/', StringComparison.Ordinal))
        {
            errors.Add($"{SectionName}:ConnectionString has more than one path segment; URL-encode '/' in the virtual host as %2F.");
        }

        if (ManagementUri is { } management
            && (!management.IsAbsoluteUri || (management.Scheme != Uri.UriSchemeHttp && management.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{SectionName}:ManagementUri is not an absolute http:// or https:// URI.");
        }

        for (var i = 0; i < Endpoints.Count; i++)
        {
            if (!TryParseNode(Endpoints[i], 5672, out _))
            {
                errors.Add(NotANode(i, Endpoints[i]));
            }
        }

        for (var i = 0; i < ManagementUris.Count; i++)
        {
            if (ManagementUris[i] is not { IsAbsoluteUri: true } uri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:ManagementUris:{i} is not an absolute http:// or https:// URI."));
            }
        }

        if (!Enum.IsDefined(QueueType))
        {
            errors.Add($"{SectionName}:QueueType must be 'classic' or 'quorum'.");
        }

        if (ConsumerTimeout < TimeSpan.FromMinutes(1))
        {
            errors.Add($"{SectionName}:ConsumerTimeout must be at least 1 minute, as RabbitMQ requires (it was {ConsumerTimeout}).");
        }

        if (SendTimeout < TimeSpan.FromSeconds(1) || SendTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"{SectionName}:SendTimeout must be between 00:00:01 and 01:00:00 (it was {SendTimeout}).");
        }

        if (Heartbeat < TimeSpan.FromSeconds(1) || Heartbeat > TimeSpan.FromMinutes(10) || Heartbeat.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add($"{SectionName}:Heartbeat must be whole seconds between 00:00:01 and 00:10:00 (it was {Heartbeat}); AMQP counts heartbeats in seconds.");
        }

        if (DeliveryLimit < 1)
        {
            errors.Add($"{SectionName}:DeliveryLimit must be at least 1 (it was {DeliveryLimit.ToString(CultureInfo.InvariantCulture)}).");
        }

        return errors;
    }

    /// <summary>The setting when set, else the environment variable when set, else <see cref="DefaultConnectionString"/>.</summary>
    internal static string ResolveConnectionString(string? configured, string? fromEnvironment) =>
        !string.IsNullOrWhiteSpace(configured) ? configured.Trim()
        : !string.IsNullOrWhiteSpace(fromEnvironment) ? fromEnvironment.Trim()
        : DefaultConnectionString;

    // host, host:port, [v6]:port; no user info, path or query (those belong in the connection string).
    private static bool TryParseNode(string? value, int defaultPort, out (string Host, int Port) node)
    {
        node = default;
        if (string.IsNullOrWhiteSpace(value)
            || !Uri.TryCreate("amqp://" + value.Trim(), UriKind.Absolute, out var parsed)
            || parsed.Host.Length == 0
            || parsed.UserInfo.Length > 0
            || parsed.PathAndQuery is not ("/" or "")
            || parsed.Fragment.Length > 0)
        {
            return false;
        }

        node = (parsed.IdnHost.Trim('[', ']'), parsed.IsDefaultPort || parsed.Port <= 0 ? defaultPort : parsed.Port);
        return true;
    }

    private static bool TryParseAmqp(string value, [NotNullWhen(true)] out Uri? uri)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var parsed)
            && (parsed.Scheme == "amqp" || parsed.Scheme == "amqps")
            && parsed.Host.Length > 0)
        {
            uri = parsed;
            return true;
        }

        uri = null;
        return false;
    }
}
