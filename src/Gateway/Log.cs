namespace Pipeline.Gateway;

/// <summary>Log messages of Pipeline.Gateway; event ids 8000-8099. Never logs the token, request bodies or results.</summary>
internal static partial class Log
{
    [LoggerMessage(8000, LogLevel.Information, "Gateway serving {Count} web endpoint(s) of apps {Apps} on {Urls}; {Auth}")]
    public static partial void Serving(ILogger logger, int count, string apps, string urls, string auth);

    [LoggerMessage(8001, LogLevel.Warning, "Gateway running WITHOUT a token (insecure development mode): anyone who reaches {Urls} can call every endpoint")]
    public static partial void Insecure(ILogger logger, string urls);

    [LoggerMessage(8002, LogLevel.Warning, "Gateway listens on {Url}, which is not loopback, over plain HTTP: the bearer token crosses the network in clear text. Use https or a TLS proxy")]
    public static partial void PlainHttpExposed(ILogger logger, string url);

    [LoggerMessage(8003, LogLevel.Information, "Web endpoint {HttpMethod} {Path} -> {Target}")]
    public static partial void Route(ILogger logger, string httpMethod, string path, string target);

    [LoggerMessage(8004, LogLevel.Information, "Refused {HttpMethod} {Path} from {Remote}: no valid bearer token")]
    public static partial void Unauthorized(ILogger logger, string httpMethod, string path, string remote);

    [LoggerMessage(8005, LogLevel.Information, "{Target}: call {CallId} ended {Status} ({ErrorType}); answered {StatusCode}")]
    public static partial void CallFailed(ILogger logger, string target, string? callId, string status, string errorType, int statusCode);

    [LoggerMessage(8006, LogLevel.Warning, "{Target}: no result within {TimeoutSeconds} s; answered 504 (the call may still finish on a worker)")]
    public static partial void GatewayTimeout(ILogger logger, string target, double timeoutSeconds);

    [LoggerMessage(8007, LogLevel.Error, "{Target}: the call could not be made; answered 503")]
    public static partial void CallError(ILogger logger, Exception exception, string target);
}
