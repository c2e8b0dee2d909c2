using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Execution;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Parameters;

namespace Pipeline.Gateway.Endpoints;

/// <summary>
/// Turns a request into a call: class parameters from the query string, arguments from the query string or a JSON
/// object body, each checked against its declared type, so a mistake is a 400 that names its field before anything is sent.
/// </summary>
internal static class WebRequestBinder
{
    public static async Task<BoundRequest> BindAsync(HttpRequest request, WebRoute route, CancellationToken cancellationToken)
    {
        var callable = route.Callable;
        var parameters = new Dictionary<string, ParameterValue>(StringComparer.Ordinal);
        var arguments = new JsonElement?[callable.Arguments.Count];
        foreach (var (key, values) in request.Query)
        {
            if (values.Count != 1)
            {
                throw WebRequestException.BadRequest("duplicate_field", key, $"'{key}' is given {values.Count} times in the query string. Give it once.");
            }

            var text = values[0] ?? "";
            if (Find(route.Parameters, key) is { } spec)
            {
                parameters[spec.Name] = Parameter(route.Parameters!, spec, text);
            }
            else if (IndexOf(callable, key) is var index and >= 0)
            {
                arguments[index] = FromQuery(callable, callable.Arguments[index], text);
            }
            else
            {
                throw WebRequestException.BadRequest("unknown_field", key, $"'{key}' is {Known(route)}. Check the spelling; GET /openapi/v1.json lists every field.");
            }
        }

        if (await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false) is { } body)
        {
            foreach (var property in body.EnumerateObject())
            {
                var index = IndexOf(callable, property.Name);
                if (index < 0)
                {
                    throw Find(route.Parameters, property.Name) is { } spec
                        ? WebRequestException.BadRequest("unknown_field", spec.Name, $"'{spec.Name}' is a class parameter: give it in the query string (?{spec.Name}=...), not in the body.")
                        : WebRequestException.BadRequest("unknown_field", property.Name, $"'{property.Name}' is {Known(route)}. Check the spelling; GET /openapi/v1.json lists every field.");
                }

                if (arguments[index] is not null)
                {
                    throw WebRequestException.BadRequest("duplicate_field", callable.Arguments[index].Name, $"Argument '{callable.Arguments[index].Name}' is given both in the query string and in the body. Give it once.");
                }

                arguments[index] = property.Value.Clone();
            }
        }

        var set = BindParameters(route, parameters);
        return new BoundRequest(set, Arguments(route, arguments));
    }

    // The shared rule (ParameterSchema.ParseText): the declared type and its range, as the client and the CLI check it.
    private static ParameterValue Parameter(ParameterSchema schema, ParameterSpec spec, string text)
    {
        try
        {
            return schema.ParseText(spec.Name, text);
        }
        catch (ParameterException e)
        {
            throw WebRequestException.BadRequest("wrong_type", spec.Name, e.Message, e);
        }
    }

    private static ParameterSet? BindParameters(WebRoute route, Dictionary<string, ParameterValue> given)
    {
        if (route.Parameters is not { } schema)
        {
            return null;
        }

        if (schema.Parameters.FirstOrDefault(p => p.IsRequired && !given.ContainsKey(p.Name)) is { } missing)
        {
            throw WebRequestException.BadRequest("missing_parameter", missing.Name,
                $"Missing required parameter '{missing.Name}' ({missing.Describe()}) of {schema.Owner}. Add it to the query string: ?{missing.Name}=...");
        }

        try
        {
            return schema.Bind(given.Select(g => new KeyValuePair<string, object?>(g.Key, g.Value)));
        }
        catch (ParameterException e)
        {
            // Names, types and presence are checked above: what is left is the 16 KiB limit. Name the largest.
            var largest = given.OrderByDescending(g => ParameterEncoding.Encode([g]).Length).First().Key;
            throw WebRequestException.BadRequest("parameters_too_large", largest, e.Message, e);
        }
    }

    // Arguments travel by position: up to the last one given, with the defaults of those left out in between.
    private static List<object?> Arguments(WebRoute route, JsonElement?[] given)
    {
        var callable = route.Callable;
        var sent = new List<object?>();
        var last = Array.FindLastIndex(given, g => g is not null);
        for (var i = 0; i < callable.Arguments.Count; i++)
        {
            var argument = callable.Arguments[i];
            if (given[i] is not { } value)
            {
                if (!argument.IsOptional)
                {
                    throw WebRequestException.BadRequest("missing_argument", argument.Name,
                        $"Missing required argument '{argument.Name}' ({QueryValues.Describe(argument.Type)}) of {callable.DisplayName}. {Where(route, argument)}");
                }

                if (i < last)
                {
                    sent.Add(route.Defaults[i]);
                }

                continue;
            }

            Check(callable, argument, value);
            sent.Add(value);
        }

        return sent;
    }

    // The same reading the worker does (PayloadJson, the declared type), so a wrong type is refused here, by name.
    private static void Check(Callable callable, ArgumentSpec argument, JsonElement value)
    {
        try
        {
            var result = value.Deserialize(argument.Type, PayloadJson.Options);
            if (result is null && argument.Type.IsValueType && Nullable.GetUnderlyingType(argument.Type) is null)
            {
                throw new JsonException("null is not a value of a non-nullable type.");
            }
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw WebRequestException.BadRequest("wrong_type", argument.Name, ArgumentBinder.Refusal(callable, argument, value, e), e);
        }
    }

    private static JsonElement FromQuery(Callable callable, ArgumentSpec argument, string text)
    {
        if (!QueryValues.IsSimple(argument.Type))
        {
            throw WebRequestException.BadRequest("wrong_type", argument.Name,
                $"Argument '{argument.Name}' of {callable.DisplayName} is {QueryValues.Describe(argument.Type)}, which a query string cannot carry. Send it in a JSON body: {{\"{argument.Name}\": ...}}.");
        }

        return QueryValues.Argument(argument.Type, text) ?? throw WebRequestException.BadRequest("wrong_type", argument.Name,
            $"Argument '{argument.Name}' of {callable.DisplayName} expects {QueryValues.Describe(argument.Type)}, got '{Shorten(text)}'.");
    }

    private static async Task<JsonElement?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!(request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0))
        {
            return null;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) ||
            !(contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || contentType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
        {
            throw new WebRequestException(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", null,
                $"The body is '{request.ContentType}'. Send arguments as JSON with 'Content-Type: application/json', or in the query string.");
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw WebRequestException.BadRequest("invalid_body", null, $"The body is not valid JSON: {e.Message} Send a JSON object of arguments, such as {{\"prompt\": \"hi\"}}.", e);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new WebRequestException(StatusCodes.Status413PayloadTooLarge, "body_too_large", null,
                "The body is larger than the gateway accepts (Pipeline:Gateway:MaxRequestBodyBytes). Send less, or raise the limit.", e);
        }

        using (document)
        {
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw WebRequestException.BadRequest("invalid_body", null, $"The body is JSON {document.RootElement.ValueKind}. Send a JSON object of arguments by name, such as {{\"prompt\": \"hi\"}}.");
        }
    }

    private static ParameterSpec? Find(ParameterSchema? schema, string name) => schema is null
        ? null
        : schema.Parameters.FirstOrDefault(p => p.Name == name) ?? schema.Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private static int IndexOf(Callable callable, string name)
    {
        for (var i = 0; i < callable.Arguments.Count; i++)
        {
            if (string.Equals(callable.Arguments[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Known(WebRoute route)
    {
        var arguments = route.Callable.Arguments.Count == 0 ? "none" : string.Join(", ", route.Callable.Arguments.Select(a => a.Name));
        return route.Parameters is { } schema
            ? $"neither a parameter of {schema.Owner} ({(schema.Parameters.Count == 0 ? "none" : string.Join(", ", schema.Parameters.Select(p => p.Name)))}) nor an argument of {route.Callable.DisplayName} ({arguments})"
            : $"not an argument of {route.Callable.DisplayName} ({arguments})";
    }

    private static string Where(WebRoute route, ArgumentSpec argument) =>
        QueryValues.IsSimple(argument.Type) && route.HttpMethod is "GET" or "DELETE"
            ? $"Add it to the query string: ?{argument.Name}=..."
            : $"Send it in the JSON body: {{\"{argument.Name}\": ...}}.";

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
