using System.Reflection;

namespace Pipeline.Consumers.Discovery;

/// <summary>How a function or class method is served over HTTP (see <see cref="WebEndpointAttribute"/>): validated at start-up.</summary>
/// <param name="HttpMethod">The HTTP method, upper case.</param>
/// <param name="Path">The URL path, starting with <c>/</c>.</param>
internal sealed record WebEndpoint(string HttpMethod, string Path)
{
    /// <summary>The HTTP methods a web endpoint may use.</summary>
    public static readonly IReadOnlyList<string> HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>The gateway serves its OpenAPI document under this path, so no endpoint may use it.</summary>
    public const string ReservedPrefix = "/openapi";

    /// <summary>The default path: <c>/app/function</c>, or <c>/app/class/method</c>.</summary>
    public static string DefaultPath(string app, string? cls, string name) => cls is null ? $"/{app}/{name}" : $"/{app}/{cls}/{name}";

    /// <summary>Reads the attribute of <paramref name="method"/>, if any; adds one sentence per mistake to <paramref name="problems"/>.</summary>
    public static WebEndpoint? Read(MethodInfo method, string where, string defaultPath, ICollection<string> problems)
    {
        var attribute = method.GetCustomAttribute<WebEndpointAttribute>();
        if (attribute is null)
        {
            return null;
        }

        var httpMethod = (attribute.Method ?? "").Trim().ToUpperInvariant();
        if (!HttpMethods.Contains(httpMethod))
        {
            problems.Add($"[WebEndpoint] on {where} has method \"{attribute.Method}\". Use one of {string.Join(", ", HttpMethods)}.");
        }

        if (method.IsDefined(typeof(RetriesAttribute)) || method.GetCustomAttribute<FunctionAttribute>() is { Retries: not 0 })
        {
            problems.Add($"{where} is a [WebEndpoint] with retries. Web endpoints take no retries (Modal's rule): remove [Retries] or Retries=, and let the HTTP caller retry.");
        }

        var path = attribute.Path ?? defaultPath;
        if (PathProblem(path) is { } problem)
        {
            problems.Add($"[WebEndpoint] on {where} has Path=\"{attribute.Path}\", which {problem}. Use a path such as \"/generate\": letters, digits and - . _ ~, segments separated by /.");
        }

        return new WebEndpoint(httpMethod, path);
    }

    private static string? PathProblem(string path)
    {
        if (path.Length == 0 || path[0] != '/')
        {
            return "does not start with /";
        }

        if (path.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '/')))
        {
            return "has characters other than letters, digits and - . _ ~ /";
        }

        var segments = path[1..].Split('/');
        if (path.Length > 1 && segments.Any(s => s.Length == 0 || s is "." or ".."))
        {
            return "has an empty, '.' or '..' segment (or a trailing /)";
        }

        return path.Equals(ReservedPrefix, StringComparison.OrdinalIgnoreCase) || path.StartsWith(ReservedPrefix + "/", StringComparison.OrdinalIgnoreCase)
            ? $"is under {ReservedPrefix}, where the gateway serves its OpenAPI document"
            : null;
    }
}
