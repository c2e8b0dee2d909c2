using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Pipeline.Cli.Usage;

/// <summary>
/// What is wrong with a command line, in the command's words: an unknown verb or option with the nearest known one,
/// an option-like word that would otherwise become a function argument, and a value of the wrong kind described as
/// "a number" (System.CommandLine's own message names the .NET type).
/// </summary>
internal static class UsageErrors
{
    /// <summary>The problems of a parsed command line, one line each; empty when there is none.</summary>
    public static IReadOnlyList<string> Of(ParseResult result, string program = "pipeline")
    {
        ArgumentNullException.ThrowIfNull(result);
        var command = result.CommandResult.Command;
        var where = (program + Path(command)).Trim();
        var messages = new List<string>();
        var unmatched = result.UnmatchedTokens.ToHashSet(StringComparer.Ordinal);
        foreach (var token in result.UnmatchedTokens)
        {
            if (LooksLikeOption(token))
            {
                messages.Add(UnknownOption(command, token, where));
            }
            else
            {
                // After an unknown verb the other words mean nothing: name the verb alone.
                messages.Add(UnknownWord(command, token, where));
                break;
            }
        }

        // A word such as --bogus fits an argument that takes any number of words, so the parser does not object;
        // only what follows "--" is taken as it is (a negative number needs no "--").
        var literalFrom = result.Tokens.ToList().FindIndex(t => t.Type == TokenType.DoubleDash);
        var tokens = result.Tokens.ToList();
        foreach (var argument in result.CommandResult.Children.OfType<ArgumentResult>())
        {
            foreach (var token in argument.Tokens)
            {
                var index = tokens.FindIndex(t => ReferenceEquals(t, token));
                if (LooksLikeOption(token.Value) && (literalFrom < 0 || index < literalFrom))
                {
                    messages.Add(UnknownOption(command, token.Value, where));
                }
            }
        }

        foreach (var error in result.Errors)
        {
            if (Unparsable(error) is { } rewritten)
            {
                messages.Add(rewritten);
            }
            else if (error.SymbolResult is CommandResult && command.Subcommands.Count > 0 && command.Action is null)
            {
                // "Required command was not provided", also said beside an unknown verb.
                if (unmatched.Count == 0)
                {
                    messages.Add($"'{where}' needs a verb: {string.Join(", ", command.Subcommands.Select(c => c.Name))}");
                }
            }
            else if (!unmatched.Any(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal)))
            {
                messages.Add(error.Message);
            }
        }

        return messages.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether a word on the command line is meant as an option: a dash and more, and not a negative number.</summary>
    public static bool LooksLikeOption(string word) =>
        word.Length > 1 && word[0] == '-' && !double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string UnknownOption(Command command, string token, string where)
    {
        var name = token.Split('=', 2)[0];
        var known = Options(command).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
        var hint = Suggestions.Nearest(name, known) is { } near ? $"; did you mean {near}?" : $"; {where} --help lists its options";
        var literal = command.Arguments.Any(a => a.Arity.MaximumNumberOfValues > 1)
            ? " (to pass it to the function as it is, put -- before it)"
            : "";
        return $"unknown option {name} for '{where}'{hint}{literal}";
    }

    private static string UnknownWord(Command command, string token, string where)
    {
        if (command.Subcommands.Count > 0)
        {
            var hint = Suggestions.Nearest(token, command.Subcommands.Select(c => c.Name)) is { } near
                ? $"did you mean '{near}'?"
                : $"the verbs are {string.Join(", ", command.Subcommands.Select(c => c.Name))}";
            return $"'{token}' is not a verb of '{where}'; {hint}";
        }

        return $"'{where}' takes no more words, and '{token}' is one too many";
    }

    private static string? Unparsable(ParseError error)
    {
        var (symbol, help, type, tokens) = error.SymbolResult switch
        {
            OptionResult option => (option.Option.Name, option.Option.HelpName, option.Option.ValueType, option.Tokens),
            ArgumentResult { Parent: OptionResult option } argument => (option.Option.Name, option.Option.HelpName, argument.Argument.ValueType, argument.Tokens),
            ArgumentResult argument => ($"<{argument.Argument.Name}>", null, argument.Argument.ValueType, argument.Tokens),
            _ => (null, null, null, null),
        };
        if (symbol is null || type is null || tokens is not { Count: > 0 } || !NamesAType(error.Message))
        {
            return null;
        }

        // An option's value is optional by being left out, never by "null": say what can be typed.
        var element = type.IsArray ? type.GetElementType()! : type;
        element = Nullable.GetUnderlyingType(element) ?? element;
        var words = Type.GetTypeCode(element) is >= TypeCode.SByte and <= TypeCode.UInt64 ? "a whole number" : ValueWords.Of(element);
        return $"{symbol} takes {words}{(help is { Length: > 1 } ? $" ({help})" : "")}, not '{tokens[^1].Value}'";
    }

    // System.CommandLine's conversion errors end in "as expected type 'System.Nullable`1[System.Double]'".
    private static bool NamesAType(string message) => message.Contains("System.", StringComparison.Ordinal) || message.Contains("expected type", StringComparison.Ordinal);

    private static IEnumerable<Option> Options(Command command)
    {
        for (Command? current = command; current is not null; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            foreach (var option in current.Options.Where(o => current == command || o.Recursive))
            {
                yield return option;
            }
        }
    }

    private static string Path(Command command)
    {
        var names = new List<string>();
        for (Command? current = command; current is not null && current is not RootCommand; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, current.Name);
        }

        return names.Count == 0 ? "" : " " + string.Join(' ', names);
    }
}
