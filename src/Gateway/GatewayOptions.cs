using Pipeline.Client.Hosting;

namespace Pipeline.Gateway;

/// <summary>Settings of the HTTP gateway, bound from the <c>Pipeline:Gateway</c> configuration section.</summary>
internal sealed class GatewayOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Pipeline:Gateway";

    /// <summary>The environment variable that fills <see cref="Token"/> through configuration when no source sets it.</summary>
    public const string TokenEnvironmentVariable = PipelineEnvironmentVariables.GatewayToken;

    /// <summary>The command-line switch for <see cref="AllowInsecureWithoutToken"/>.</summary>
    public const string InsecureSwitch = "--insecure";

    /// <summary>The shortest token accepted.</summary>
    public const int MinTokenLength = 16;

    /// <summary>Where to listen, separated by <c>;</c>. Default <c>http://127.0.0.1:8080</c>: loopback only.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>
    /// The bearer token every request must carry (<c>Authorization: Bearer &lt;token&gt;</c>); at least 16 characters.
    /// Default: env <c>PIPELINE_GATEWAY_TOKEN</c>. Never logged.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>Serve without a token (development only; also <c>--insecure</c>). Default false: no token, no start.</summary>
    public bool AllowInsecureWithoutToken { get; set; }

    /// <summary>The largest request body read, in bytes; larger ones get 413. Default 1 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Put the worker's stack trace in the body of a 500. Default false: type and message only.</summary>
    public bool ShowTracebacks { get; set; }

    /// <summary>How long the gateway waits for a result before answering 504. Default 150 s (Modal's web endpoint limit).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(150);

    /// <summary>Paths of the app assemblies whose web endpoints to serve, as <c>Pipeline:Worker:Apps</c>. No default.</summary>
    public IList<string> Apps { get; } = [];

    /// <summary>The token in effect (env <c>PIPELINE_GATEWAY_TOKEN</c> fills the setting through configuration); null when not set.</summary>
    public string? EffectiveToken => Token is { Length: > 0 } token ? token : null;

    /// <summary>Returns a message per invalid setting, naming its key; never the token itself.</summary>
    public IEnumerable<string> Validate()
    {
        var token = EffectiveToken;
        if (token is null && !AllowInsecureWithoutToken)
        {
            yield return $"{Section}:Token is not set, and the gateway does not serve without one. Set it (or env {TokenEnvironmentVariable}) to a random secret such as the output of 'openssl rand -hex 32'; for local development only, pass {InsecureSwitch}.";
        }

        if (token is not null && (token.Length < MinTokenLength || token.Any(char.IsWhiteSpace)))
        {
            yield return $"{Section}:Token must be at least {MinTokenLength} characters without spaces (it has {token.Length}). Use a random secret such as the output of 'openssl rand -hex 32'.";
        }

        if (string.IsNullOrWhiteSpace(Urls))
        {
            yield return $"{Section}:Urls is empty. Set it to where to listen, for example http://127.0.0.1:8080.";
        }

        foreach (var url in UrlList)
        {
            if (!Uri.TryCreate(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                yield return $"{Section}:Urls has '{url}', which is not an http:// or https:// URL. Use for example http://127.0.0.1:8080.";
            }
        }

        if (MaxRequestBodyBytes < 1)
        {
            yield return $"{Section}:MaxRequestBodyBytes must be at least 1 (got {MaxRequestBodyBytes}).";
        }

        if (RequestTimeout < TimeSpan.FromSeconds(1) || RequestTimeout > TimeSpan.FromHours(24))
        {
            yield return $"{Section}:RequestTimeout must be between 00:00:01 and 1.00:00:00 (got {RequestTimeout}).";
        }
    }

    /// <summary>The URLs, split.</summary>
    public IReadOnlyList<string> UrlList => (Urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
