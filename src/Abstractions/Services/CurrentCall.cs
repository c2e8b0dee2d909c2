namespace Pipeline;

/// <summary>
/// The call whose code is running on this flow, set by the worker host around each input, so a call made from inside
/// it (through the injected client) names it as its parent.
/// </summary>
internal static class CurrentCall
{
    private static readonly AsyncLocal<string?> Ambient = new();

    /// <summary>The running call's id (<c>fc-...</c>); null outside a call.</summary>
    public static string? Id => Ambient.Value;

    public static void Enter(string? callId) => Ambient.Value = callId;
}
