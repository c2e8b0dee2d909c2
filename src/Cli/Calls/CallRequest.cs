using System.Globalization;
using System.Text.Json;
using Pipeline.Cli.Hosting;
using Pipeline.Client;
using Pipeline.Cli.Usage;
using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Manifests;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Cli.Calls;

/// <summary>
/// What to call, as typed: <c>&lt;app&gt; &lt;function&gt;</c> or <c>&lt;app&gt; &lt;class&gt;.&lt;method&gt;</c>,
/// <c>--param name=value</c> for class parameters, and positional arguments, each one JSON value (<c>7</c>,
/// <c>'"hi"'</c>, <c>'[1,2]'</c>); a token that is not JSON is a string, so <c>hi</c> means <c>"hi"</c>.
/// </summary>
internal sealed record CallRequest(string App, string? Class, string Function, IReadOnlyList<KeyValuePair<string, string>> Parameters, IReadOnlyList<JsonElement> Args)
{
    /// <summary>Reads the typed words; a malformed <c>--param</c> is a usage error.</summary>
    public static CallRequest Parse(string app, string target, IReadOnlyList<string> parameters, IReadOnlyList<string> args)
    {
        // Function, class and method names are kebab-case without dots, so the first dot separates class and method.
        var dot = target.IndexOf('.', StringComparison.Ordinal);
        var (cls, function) = dot < 0 ? ((string?)null, target) : (target[..dot], target[(dot + 1)..]);
        if (function.Length == 0 || cls is { Length: 0 })
        {
            throw new CliException($"'{target}' is not a function or <class>.<method>: write square, or model.generate", ExitCodes.Usage);
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var parameter in parameters)
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"--param '{parameter}' is not name=value: write --param name=llama", ExitCodes.Usage);
            }

            pairs.Add(new(parameter[..equals], parameter[(equals + 1)..]));
        }

        if (cls is null && pairs.Count > 0)
        {
            throw new CliException($"--param sets class parameters, and '{target}' is a function: call a method as <class>.<method>", ExitCodes.Usage);
        }

        return new CallRequest(app, cls, function, pairs, args.Select(ParseArgument).ToList());
    }

    /// <summary>Reads one positional argument: JSON when it parses, else the text as a string.</summary>
    public static JsonElement ParseArgument(string token)
    {
        try
        {
            using var document = JsonDocument.Parse(token);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(token);
        }
    }

    /// <summary>The argument list as the client takes it.</summary>
    public IReadOnlyList<object?> Arguments => Args.Select(a => (object?)a).ToList();

    /// <summary>
    /// Checks everything the app's assembly can say before anything connects: the app, function, class and method names
    /// (listing what exists, with the nearest name), the class parameters (names, types, required ones) and the
    /// arguments (count and types, as the worker will read them). Every problem is a usage error in the command's words.
    /// </summary>
    /// <returns>The function or method, for checking further inputs (map's lines).</returns>
    /// <param name="apps">The loaded apps.</param>
    /// <param name="checkArguments">Whether to check <see cref="Args"/> too; map checks each input line instead.</param>
    public Callable Check(LoadedApps apps, bool checkArguments = true)
    {
        var registry = apps.Registry;
        var app = registry.FindApp(App) ?? throw Unknown($"No app named '{App}' is in the app assemblies (--app-assembly). Known apps", App, registry.Apps.Select(a => a.Name));
        Callable callable;
        if (Class is null)
        {
            callable = app.Functions.GetValueOrDefault(Names.Normalize(Function))
                ?? throw Unknown($"App '{app.Name}' has no function named '{Function}'. Known functions", Function, app.Functions.Keys, app.Classes.Count > 0 ? " A class method is <class>.<method>." : "");
        }
        else
        {
            var cls = app.Classes.GetValueOrDefault(Names.Normalize(Class))
                ?? throw Unknown($"App '{app.Name}' has no class named '{Class}'. Known classes", Class, app.Classes.Keys);
            callable = cls.Methods.GetValueOrDefault(Names.Normalize(Function))
                ?? throw Unknown($"Class '{cls.Name}' has no method named '{Function}'. Known methods", Function, cls.Methods.Keys);
            CheckParameters(cls);
        }

        if (checkArguments)
        {
            CheckArguments(callable, Args);
        }

        return callable;
    }

    /// <summary>Checks one input's arguments against the function: their count, and each one's type as the worker reads it.</summary>
    /// <exception cref="CliException">A usage error naming the argument, what it takes and what it got.</exception>
    public static void CheckArguments(Callable callable, IReadOnlyList<JsonElement> args)
    {
        var declared = callable.Arguments;
        var target = callable.DisplayName;
        if (args.Count > declared.Count)
        {
            throw new CliException(
                declared.Count == 0
                    ? $"{target} takes no arguments, but got {args.Count}; remove them"
                    : $"{target} takes {CountOf(declared.Count)} ({string.Join(", ", declared.Select(Describe))}), but got {args.Count}; remove the extra ones",
                ExitCodes.Usage);
        }

        var missing = declared.Skip(args.Count).Where(a => !a.IsOptional).ToList();
        if (missing.Count > 0)
        {
            throw new CliException(
                $"{target} needs {string.Join(" and ", missing.Select(a => $"argument '{a.Name}' ({ValueWords.Of(a.Type)})"))}: give {CountOf(declared.Count(a => !a.IsOptional))} after the function name, each one JSON value",
                ExitCodes.Usage);
        }

        for (var i = 0; i < args.Count; i++)
        {
            if (!Fits(args[i], declared[i].Type))
            {
                throw new CliException($"argument '{declared[i].Name}' of {target} takes {ValueWords.Of(declared[i].Type)}, not {Show(args[i])}", ExitCodes.Usage);
            }
        }
    }

    /// <summary>The function or method to call (after <see cref="Check"/>).</summary>
    public FunctionHandle Resolve(PipelineClient client) => Usage(() => Class is null
        ? client.Function(App, Function)
        : client.Cls(App, Class).With(Parameters.Select(p => Convert(client.Catalog.Class(App, Class), p.Key, p.Value)).ToList()).Method(Function));

    // The --param rules in the command's words; the schema's own Bind then checks what only it knows (the 16 KiB limit).
    private void CheckParameters(ClassDefinition cls)
    {
        var owner = $"{cls.App}.{cls.Name}";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, text) in Parameters)
        {
            var member = cls.Parameters.FirstOrDefault(p => string.Equals(p.Spec.Name, name, StringComparison.OrdinalIgnoreCase));
            if (member is null)
            {
                var near = Suggestions.Nearest(name, cls.Parameters.Select(p => p.Spec.Name)) is { } n ? $"did you mean --param {n}=...? " : "";
                throw new CliException(
                    cls.Parameters.Count == 0
                        ? $"--param {name}: {owner} has no parameters; leave --param out"
                        : $"--param {name}: {owner} has no parameter '{name}'; {near}its parameters: {string.Join(", ", cls.Parameters.Select(DescribeParameter))}",
                    ExitCodes.Usage);
            }

            if (!seen.Add(member.Spec.Name))
            {
                throw new CliException($"--param {member.Spec.Name} is given twice; give it once", ExitCodes.Usage);
            }

            _ = Convert(member, name, text);
        }

        var required = cls.Parameters.Where(p => p.Spec.IsRequired && !seen.Contains(p.Spec.Name)).ToList();
        if (required.Count > 0)
        {
            throw new CliException(
                $"{owner} needs {string.Join(" ", required.Select(p => $"--param {p.Spec.Name}=<{ValueWords.Of(p.ClrType)}>"))} (no default); for example --param {required[0].Spec.Name}={Example(required[0])}",
                ExitCodes.Usage);
        }

        Usage(() => cls.Schema.Bind(Parameters.Select(p => Convert(cls.Parameters.First(m => string.Equals(m.Spec.Name, p.Key, StringComparison.OrdinalIgnoreCase)), p.Key, p.Value))));
    }

    private static bool Fits(JsonElement value, Type type)
    {
        try
        {
            var result = value.Deserialize(type, PayloadJson.Options);
            return result is not null || !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Show(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 40 ? text : text[..37] + "...";
    }

    private static string CountOf(int count) => count == 1 ? "1 argument" : $"{count} arguments";

    private static string Describe(ArgumentSpec argument) => $"{argument.Name}: {ValueWords.Of(argument.Type)}{(argument.IsOptional ? ", optional" : "")}";

    private static string DescribeParameter(ParameterMember member) =>
        $"{member.Spec.Name} ({ValueWords.Of(member.ClrType)}, {(member.Spec.IsRequired ? "required" : "has a default")})";

    private static string Example(ParameterMember member) => member.Spec.Type switch
    {
        ParameterType.Int => "7",
        ParameterType.Bool => "true",
        ParameterType.Bytes => "aGk=",
        _ => "llama",
    };

    private static CliException Unknown(string message, string typed, IEnumerable<string> known, string more = "")
    {
        var names = known.Order(StringComparer.Ordinal).ToList();
        var near = Suggestions.Nearest(typed, names) is { } n ? $" Did you mean '{n}'?" : "";
        return new CliException($"{message}: {(names.Count == 0 ? "none" : string.Join(", ", names))}.{near}{more}", ExitCodes.Usage);
    }

    private static T Usage<T>(Func<T> resolve)
    {
        try
        {
            return resolve();
        }
        catch (Exception e) when (e is ArgumentException or ParameterException)
        {
            // The client's message lists what exists; the parameter name .NET appends means nothing on a command line.
            var message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
            throw new CliException(message, ExitCodes.Usage);
        }
    }

    private static void Usage(Action check) => Usage(() =>
    {
        check();
        return 0;
    });

    // The text of --param becomes the parameter's declared type, within the range of the member it is written to.
    private static KeyValuePair<string, object?> Convert(ParameterMember member, string name, string text)
    {
        var words = ValueWords.Of(member.ClrType);
        object? value = member.Spec.Type switch
        {
            ParameterType.Int when member.ClrType == typeof(int) => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var small)
                ? (long)small
                : throw Bad(name, text, words),
            ParameterType.Int => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw Bad(name, text, words),
            ParameterType.Bool => bool.TryParse(text, out var flag) ? flag : throw Bad(name, text, words),
            ParameterType.Bytes => Base64(name, text),
            _ => text,
        };
        return new(member.Spec.Name, value);
    }

    // The client binds by the manifest; by now Check has proved every name and value.
    private static KeyValuePair<string, object?> Convert(ClassManifest manifest, string name, string text)
    {
        var spec = manifest.Parameters.Parameters.First(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        object? value = spec.Type switch
        {
            ParameterType.Int => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            ParameterType.Bool => bool.Parse(text),
            ParameterType.Bytes => System.Convert.FromBase64String(text),
            _ => text,
        };
        return new(spec.Name, value);
    }

    private static byte[] Base64(string name, string text)
    {
        try
        {
            return System.Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Bad(name, text, "bytes in base64 (for example aGk=)");
        }
    }

    private static CliException Bad(string name, string text, string expected) =>
        new($"--param {name}={text}: '{name}' takes {expected}", ExitCodes.Usage);
}
