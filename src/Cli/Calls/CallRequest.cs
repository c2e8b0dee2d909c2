using System.Text.Json;
using Pipeline.Cli.Hosting;
using Pipeline.Client;
using Pipeline.Client.Targets;
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
    /// Checks names and parameters against the apps, as the client will, before any connection is made: unknown names and
    /// bad parameters are usage errors listing what exists.
    /// </summary>
    public void Check(IReadOnlyList<AppManifest> manifests)
    {
        var catalog = new ManifestCatalog(manifests);
        Usage(() =>
        {
            if (Class is null)
            {
                catalog.Function(App, Function);
                return;
            }

            var manifest = catalog.Class(App, Class);
            manifest.Parameters.Bind(Parameters.Select(p => Convert(manifest, p.Key, p.Value)));
            if (!manifest.Methods.Any(m => m.Name == Names.Normalize(Function)))
            {
                throw new CliException($"Class '{manifest.Name}' has no method named '{Function}'. Known methods: {string.Join(", ", manifest.Methods.Select(m => m.Name))}.", ExitCodes.Usage);
            }
        });
    }

    /// <summary>The function or method to call (after <see cref="Check"/>).</summary>
    public FunctionHandle Resolve(PipelineClient client) => Usage(() => Class is null
        ? client.Function(App, Function)
        : client.Cls(App, Class).With(Parameters.Select(p => Convert(client.Catalog.Class(App, Class), p.Key, p.Value)).ToList()).Method(Function));

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

    // The text of --param becomes the parameter's declared type by the shared rule (ParameterSchema.ParseText: type and
    // range, as the gateway reads a query string); an unknown name goes through as text, and the schema's own error
    // lists the known ones.
    private static KeyValuePair<string, object?> Convert(ClassManifest manifest, string name, string text)
    {
        var spec = manifest.Parameters.Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        try
        {
            return new(name, spec is null ? text : manifest.Parameters.ParseText(spec.Name, text));
        }
        catch (ParameterException)
        {
            throw new CliException($"--param {name}={text}: '{name}' takes {spec!.Describe()}", ExitCodes.Usage);
        }
    }
}
