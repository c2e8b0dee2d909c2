using System.Text.Json;

namespace Pipeline.Client.Targets;

/// <summary>A resolved function or method and the pool queue its inputs go to.</summary>
internal sealed record CallTarget(string App, string? Class, string Function, string Queue, JsonElement? Parameters)
{
    public string DisplayName => Class is null ? $"{App}.{Function}" : $"{App}.{Class}.{Function}";
}
