using System.Text.Json;
using Pipeline.Client.Targets;
using Pipeline.Messages.Manifests;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Client;

/// <summary>A class with one parameter set: one pool, whose methods share its containers and their enter/exit.</summary>
public sealed class ClsInstance
{
    private readonly PipelineClient _client;
    private readonly string _app;
    private readonly ClassManifest _manifest;
    private readonly JsonElement _parametersJson;

    internal ClsInstance(PipelineClient client, string app, ClassManifest manifest, ParameterSet parameters, string queue)
    {
        _client = client;
        _app = app;
        _manifest = manifest;
        Parameters = parameters;
        Queue = queue;
        _parametersJson = JsonDocument.Parse(parameters.ToJson()).RootElement.Clone();
    }

    /// <summary>The complete parameter set, defaults applied.</summary>
    public ParameterSet Parameters { get; }

    /// <summary>The pool's queue name.</summary>
    public string Queue { get; }

    /// <summary>A method of this instance.</summary>
    /// <param name="name">The method name: C# name or kebab-case.</param>
    /// <exception cref="ArgumentException">The class has no such method.</exception>
    public FunctionHandle Method(string name)
    {
        var method = _manifest.Methods.FirstOrDefault(m => m.Name == Names.Normalize(name)) ?? throw new ArgumentException(
            $"Class '{_app}.{_manifest.Name}' has no method named '{name}'. Known methods: {string.Join(", ", _manifest.Methods.Select(m => m.Name))}.", nameof(name));
        return new FunctionHandle(_client, new CallTarget(_app, _manifest.Name, method.Name, Queue, _parametersJson));
    }
}
