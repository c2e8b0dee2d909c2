using System.Runtime.CompilerServices;
using System.Text.Json;
using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Parameters;

namespace Pipeline.Gateway.Endpoints;

/// <summary>A web endpoint as the gateway serves it: the function or method, its class's parameters, its arguments' defaults.</summary>
internal sealed class WebRoute
{
    public required Callable Callable { get; init; }

    /// <summary>The class's declared parameters, taken from the query string; null for a plain function.</summary>
    public ParameterSchema? Parameters { get; init; }

    /// <summary>Per argument, its default as JSON (sent when a later argument is given and this one is not); null when required.</summary>
    public required IReadOnlyList<JsonElement?> Defaults { get; init; }

    public string HttpMethod => Callable.WebEndpoint!.HttpMethod;

    public string Path => Callable.WebEndpoint!.Path;

    /// <summary>Every web endpoint of the registry.</summary>
    /// <exception cref="AppDefinitionException">An argument's default cannot be written as JSON.</exception>
    public static IReadOnlyList<WebRoute> From(AppRegistry registry)
    {
        var problems = new List<string>();
        var routes = new List<WebRoute>();
        foreach (var callable in registry.WebEndpoints)
        {
            var defaults = callable.Arguments.Select(a => a.IsOptional ? DefaultJson(callable, a, problems) : null).ToList();
            routes.Add(new WebRoute
            {
                Callable = callable,
                Parameters = callable.Class is null ? null : registry.FindClass(callable.App, callable.Class)!.Schema,
                Defaults = defaults,
            });
        }

        return problems.Count > 0 ? throw new AppDefinitionException(problems) : routes;
    }

    private static JsonElement? DefaultJson(Callable callable, ArgumentSpec argument, List<string> problems)
    {
        var type = argument.Type;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var value = argument.DefaultValue;
        if (value is null && type.IsValueType && Nullable.GetUnderlyingType(type) is null)
        {
            // 'T x = default' for a struct: reflection reports null, the method gets the zero value.
            value = RuntimeHelpers.GetUninitializedObject(type);
        }
        else if (value is not null && underlying.IsEnum)
        {
            value = Enum.ToObject(underlying, value);
        }

        try
        {
            return JsonSerializer.SerializeToElement(value, type, PayloadJson.Options);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            problems.Add($"[WebEndpoint] {callable.DisplayName}: the default of argument '{argument.Name}' cannot be written as JSON ({e.Message}). Give it a plain default, or make it required.");
            return null;
        }
    }
}
