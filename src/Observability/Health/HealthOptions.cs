namespace Pipeline.Observability.Health;

/// <summary>Where a process serves its health endpoints; bound from <c>Pipeline:Health</c>.</summary>
public sealed class HealthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Pipeline:Health";

    /// <summary>
    /// The URL prefixes to listen on, separated by <c>;</c>. Default: <c>http://127.0.0.1:8081/</c> (loopback only). Empty
    /// turns the endpoints off. For Kubernetes httpGet probes, which come from outside the pod's loopback, use
    /// <c>http://+:8081/</c>. A port already in use is logged as a warning and the process runs on without endpoints.
    /// </summary>
    public string? Urls { get; set; } = "http://127.0.0.1:8081/";

    /// <summary>The prefixes in effect, each ending in <c>/</c>.</summary>
    internal IReadOnlyList<string> Prefixes => (Urls ?? "")
        .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(u => u.EndsWith('/') ? u : u + "/")
        .ToList();

    /// <summary>The errors, each naming the key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var prefix in Prefixes)
        {
            var host = prefix.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal);
            if (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            {
                errors.Add($"{SectionName}:Urls has '{prefix}', which is not http://<address>:<port>/ (for example http://127.0.0.1:8081/, or http://+:8081/ for every address).");
            }
        }

        return errors;
    }
}
