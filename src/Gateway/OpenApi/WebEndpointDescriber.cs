using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Pipeline.Gateway.Endpoints;
using Pipeline.Messages.Parameters;

namespace Pipeline.Gateway.OpenApi;

/// <summary>
/// Describes one web endpoint in the OpenAPI document: class parameters as query parameters with their defaults,
/// arguments as query parameters (GET, DELETE) or as a JSON object body (POST, PUT, PATCH), and the error statuses.
/// </summary>
internal static class WebEndpointDescriber
{
    public static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, WebRoute route, CancellationToken cancellationToken)
    {
        var callable = route.Callable;
        operation.OperationId = callable.DisplayName;
        operation.Summary = callable.Class is null
            ? $"Calls function {callable.DisplayName}."
            : $"Calls method {callable.DisplayName} in the pool of the class parameters given in the query string.";
        operation.Parameters ??= [];
        foreach (var spec in route.Parameters?.Parameters ?? [])
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = spec.Name,
                In = ParameterLocation.Query,
                Required = spec.IsRequired,
                Description = $"Class parameter of {route.Parameters!.Owner}: each distinct set of parameters is its own pool.",
                Schema = ParameterSchemaOf(spec),
            });
        }

        var inQuery = route.HttpMethod is "GET" or "DELETE";
        var body = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = new Dictionary<string, IOpenApiSchema>(), Required = new HashSet<string>() };
        for (var i = 0; i < callable.Arguments.Count; i++)
        {
            var argument = callable.Arguments[i];
            var schema = await context.GetOrCreateSchemaAsync(argument.Type, null, cancellationToken);
            if (route.Defaults[i] is { } defaultJson && QueryValues.IsSimple(argument.Type))
            {
                schema.Default = JsonNode.Parse(defaultJson.GetRawText());
            }

            if (inQuery && QueryValues.IsSimple(argument.Type))
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = argument.Name,
                    In = ParameterLocation.Query,
                    Required = !argument.IsOptional,
                    Description = $"Argument of {callable.DisplayName}.",
                    Schema = schema,
                });
                continue;
            }

            body.Properties[argument.Name] = schema;
            if (!argument.IsOptional)
            {
                body.Required.Add(argument.Name);
            }
        }

        if (body.Properties.Count > 0)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = body.Required.Count > 0,
                Description = "The arguments by name, as a JSON object.",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = body } },
            };
        }

        operation.Responses = new OpenApiResponses
        {
            ["200"] = Response("The result as JSON (null when the method returns nothing)."),
            ["400"] = Response("A parameter or argument is missing, unknown or of the wrong type, or the class parameters are over 16 KiB; 'field' names it."),
            ["401"] = Response("No valid bearer token."),
            ["413"] = Response("The body is over the gateway's limit."),
            ["500"] = Response("The function threw: 'type' and 'message' say what."),
            ["503"] = Response("The container's enter hook failed, or the pipeline could not take the call."),
            ["504"] = Response("The function ran past its timeout, or no result came within the gateway's wait limit."),
        };
    }

    private static OpenApiSchema ParameterSchemaOf(ParameterSpec spec)
    {
        var schema = spec.Type switch
        {
            ParameterType.String => new OpenApiSchema { Type = JsonSchemaType.String },
            ParameterType.Int => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = spec.IsInt32 ? "int32" : "int64" },
            ParameterType.Bool => new OpenApiSchema { Type = JsonSchemaType.Boolean },
            _ => new OpenApiSchema { Type = JsonSchemaType.String, Format = "byte" },
        };
        schema.Default = spec.Default is { } value ? value.Type switch
        {
            ParameterType.String => JsonValue.Create(value.AsString()),
            ParameterType.Int => JsonValue.Create(value.AsInt()),
            ParameterType.Bool => JsonValue.Create(value.AsBool()),
            _ => JsonValue.Create(Convert.ToBase64String(value.AsBytes())),
        } : null;
        return schema;
    }

    private static OpenApiResponse Response(string description) => new() { Description = description };
}
