using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Pipeline.Scheduler.Definitions;

/// <summary>
/// Reads a schedule's <c>Args</c>: either one string holding a JSON array (<c>"[\"weekly\", 7]"</c>, exact types), or a
/// configuration array (<c>"Args": ["weekly", 7]</c> in appsettings.json, <c>Args__0=weekly</c> in the environment),
/// whose values configuration keeps only as text: <c>7</c>, <c>true</c>, <c>false</c> and <c>null</c> are read as JSON, the rest as strings.
/// </summary>
internal static class ScheduleArgs
{
    /// <summary>The arguments as a JSON array, or what is wrong.</summary>
    public static string? TryRead(IConfigurationSection section, out JsonElement args)
    {
        args = default;
        if (section.Value is { } text)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind != JsonValueKind.Array)
                {
                    return $"is {document.RootElement.ValueKind} JSON; it must be a JSON array of the function's arguments, for example [\"weekly\", 7].";
                }

                args = document.RootElement.Clone();
                return null;
            }
            catch (JsonException e)
            {
                return $"is not JSON ({e.Message}); give a JSON array such as [\"weekly\", 7], or a configuration array (Args:0, Args:1, ...).";
            }
        }

        var node = Node(section);
        if (node is not JsonArray)
        {
            return "must be an array (Args:0, Args:1, ...) or a string holding a JSON array.";
        }

        args = JsonSerializer.SerializeToElement(node);
        return null;
    }

    private static JsonNode? Node(IConfigurationSection section)
    {
        if (section.Value is { } value)
        {
            return Scalar(value);
        }

        var children = section.GetChildren().ToList();
        var indexes = children.Select(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).ToList();
        if (children.Count > 0 && indexes.Order().SequenceEqual(Enumerable.Range(0, children.Count)))
        {
            var array = new JsonArray();
            foreach (var child in children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)))
            {
                array.Add(Node(child));
            }

            return array;
        }

        var obj = new JsonObject();
        foreach (var child in children)
        {
            obj[child.Key] = Node(child);
        }

        return obj;
    }

    private static JsonNode? Scalar(string value)
    {
        if (value is "true" or "false" or "null" ||
            double.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out _))
        {
            try
            {
                return JsonNode.Parse(value);
            }
            catch (JsonException)
            {
                // "1." or "+1" read as numbers by .NET are not JSON: keep them as strings.
            }
        }

        return JsonValue.Create(value);
    }
}
