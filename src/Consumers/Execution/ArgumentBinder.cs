using System.Text.Json;
using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Invocations;

namespace Pipeline.Consumers.Execution;

/// <summary>
/// Turns an invocation's JSON arguments into the method's parameter values, by position (<c>args</c>) and by name
/// (<c>kwargs</c>), deserialized only into the types the method declares.
/// </summary>
internal static class ArgumentBinder
{
    public static object?[] Bind(Callable callable, JsonElement? args, JsonElement? kwargs, CancellationToken cancellationToken)
    {
        var values = new object?[callable.Method.GetParameters().Length];
        var given = new bool[callable.Arguments.Count];
        var positional = Elements(callable, args);
        if (positional.Count > callable.Arguments.Count)
        {
            throw new InvalidInputException(
                $"{callable.DisplayName} takes {callable.Arguments.Count} argument(s) ({Names(callable)}) but got {positional.Count}. Remove the extra arguments.");
        }

        for (var i = 0; i < positional.Count; i++)
        {
            values[callable.Arguments[i].Position] = Convert(callable, callable.Arguments[i], positional[i]);
            given[i] = true;
        }

        if (kwargs is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } named)
        {
            if (named.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidInputException($"kwargs for {callable.DisplayName} must be a JSON object, not {named.ValueKind}.");
            }

            foreach (var property in named.EnumerateObject())
            {
                var index = IndexOf(callable, property.Name);
                if (index < 0)
                {
                    throw new InvalidInputException(
                        $"{callable.DisplayName} has no argument named '{property.Name}'. Its arguments are: {Names(callable)}.");
                }

                if (given[index])
                {
                    throw new InvalidInputException($"Argument '{callable.Arguments[index].Name}' of {callable.DisplayName} is given twice (by position and by name). Give it once.");
                }

                values[callable.Arguments[index].Position] = Convert(callable, callable.Arguments[index], property.Value);
                given[index] = true;
            }
        }

        for (var i = 0; i < given.Length; i++)
        {
            if (given[i])
            {
                continue;
            }

            var argument = callable.Arguments[i];
            values[argument.Position] = argument.IsOptional
                ? argument.DefaultValue
                : throw new InvalidInputException($"{callable.DisplayName} is missing argument '{argument.Name}' ({argument.Type.Name}). Pass it by position or by name.");
        }

        if (callable.CancellationTokenIndex >= 0)
        {
            values[callable.CancellationTokenIndex] = cancellationToken;
        }

        return values;
    }

    private static List<JsonElement> Elements(Callable callable, JsonElement? args)
    {
        if (args is not { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } array)
        {
            return [];
        }

        return array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().ToList()
            : throw new InvalidInputException($"args for {callable.DisplayName} must be a JSON array, not {array.ValueKind}.");
    }

    private static object? Convert(Callable callable, ArgumentSpec argument, JsonElement value)
    {
        try
        {
            var result = value.Deserialize(argument.Type, PayloadJson.Options);
            if (result is null && argument.Type.IsValueType && Nullable.GetUnderlyingType(argument.Type) is null)
            {
                throw new JsonException("null is not a value of a non-nullable type.");
            }

            return result;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            throw new InvalidInputException(Refusal(callable, argument, value, e), e);
        }
    }

    /// <summary>Why a value cannot be an argument: its name, the declared type and its range, and what was given.</summary>
    public static string Refusal(Callable callable, ArgumentSpec argument, JsonElement value, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var detail = ArgumentTypes.IsSimple(argument.Type) ? "" : $" ({error.Message})";
        return $"Argument '{argument.Name}' of {callable.DisplayName} expects {ArgumentTypes.Describe(argument.Type)}, got JSON {value.ValueKind} {ArgumentTypes.Shown(value)}{detail}. Give a value of that type.";
    }

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

    private static string Names(Callable callable) =>
        callable.Arguments.Count == 0 ? "none" : string.Join(", ", callable.Arguments.Select(a => a.Name));
}
