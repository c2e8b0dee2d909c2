using Microsoft.Extensions.Configuration;

namespace Pipeline.Client.Hosting;

/// <summary>
/// The keys the set <see cref="PipelineEnvironmentVariables"/> fill; an empty variable fills nothing, as before. Over a
/// configuration it was put under (<paramref name="over"/>), it fills only the keys that configuration leaves unset: a
/// chained configuration answers an empty value as unset, and an empty key is still an explicit one.
/// </summary>
internal sealed class PipelineEnvironmentProvider(Func<string, string?> read, IConfiguration? over = null) : ConfigurationProvider
{
    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in PipelineEnvironmentVariables.Mappings)
        {
            if (read(variable) is { } value && !string.IsNullOrWhiteSpace(value) && over?[key] is null)
            {
                data[key] = value.Trim();
            }
        }

        Data = data;
    }

    /// <summary>The variable that filled <paramref name="key"/>, for messages that tell a user where a value came from.</summary>
    public static string? VariableFor(string key) =>
        PipelineEnvironmentVariables.Mappings.FirstOrDefault(m => string.Equals(m.Key, key, StringComparison.OrdinalIgnoreCase)).Variable;
}
