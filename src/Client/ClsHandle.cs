using System.ComponentModel;
using Pipeline.Messages.Manifests;
using Pipeline.Messages.Naming;

namespace Pipeline.Client;

/// <summary>A parameterized class; <see cref="With(object?)"/> picks the parameter set, and so the pool.</summary>
public sealed class ClsHandle
{
    private readonly PipelineClient _client;
    private readonly string _app;
    private readonly ClassManifest _manifest;

    internal ClsHandle(PipelineClient client, string app, ClassManifest manifest)
    {
        _client = client;
        _app = app;
        _manifest = manifest;
    }

    /// <summary>Binds parameters given as an anonymous object: <c>With(new { name = "llama", size = 7 })</c>. Defaults fill the rest.</summary>
    /// <param name="parameters">An object whose public properties are the parameters; null for none.</param>
    /// <exception cref="Pipeline.Messages.Parameters.ParameterException">A parameter is unknown, missing, mistyped, or the set is over 16 KiB.</exception>
    public ClsInstance With(object? parameters = null)
    {
        if (parameters is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            return With(pairs);
        }

        var values = new List<KeyValuePair<string, object?>>();
        if (parameters is not null)
        {
            foreach (PropertyDescriptor property in TypeDescriptor.GetProperties(parameters))
            {
                values.Add(new(property.Name, property.GetValue(parameters)));
            }
        }

        return With(values);
    }

    /// <summary>Binds parameters given by name.</summary>
    /// <param name="parameters">Name and value pairs.</param>
    /// <exception cref="Pipeline.Messages.Parameters.ParameterException">A parameter is unknown, missing, mistyped, or the set is over 16 KiB.</exception>
    public ClsInstance With(IEnumerable<KeyValuePair<string, object?>> parameters)
    {
        var set = _manifest.Parameters.Bind(parameters);
        return new ClsInstance(_client, _app, _manifest, set, QueueNames.ForClass(_app, _manifest.Name, set));
    }
}
