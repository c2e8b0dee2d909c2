using System.Buffers;

namespace Pipeline.Consumers.Invocations;

/// <summary>The shape of a call id: <c>fc-</c> and 32 hex digits, what every caller and store expects.</summary>
internal static class CallIds
{
    private const string Prefix = "fc-";
    private const int HexDigits = 32;
    private static readonly SearchValues<char> Hex = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Null when <paramref name="callId"/> is a call id; else what is wrong with it and how to fix it.</summary>
    public static string? Problem(string? callId)
    {
        if (callId is null)
        {
            return "The input has no call id. Set \"callId\" to fc- and 32 hex digits, such as \"fc-9b2e4f7a0c3d4e5f8a1b2c3d4e5f6a7b\".";
        }

        return callId.Length == Prefix.Length + HexDigits && callId.StartsWith(Prefix, StringComparison.Ordinal) && !callId.AsSpan(Prefix.Length).ContainsAnyExcept(Hex)
            ? null
            : $"Call id '{Shorten(callId)}' is not fc- and 32 hex digits. Make one as \"fc-\" + a new UUID's 32 hex digits, such as \"fc-9b2e4f7a0c3d4e5f8a1b2c3d4e5f6a7b\".";
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
