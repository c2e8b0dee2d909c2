using System.Globalization;

namespace Pipeline.WorkerHost.Slots;

/// <summary>One choice of a <see cref="GpuRequirement"/>: <see cref="Count"/> GPUs of <see cref="Type"/> on one host.</summary>
/// <param name="Type">The upper-cased type, for example <c>H100</c> or <c>A100-80GB</c>; <see cref="AnyType"/> for any GPU.</param>
/// <param name="Count">How many GPUs, 1 to <see cref="GpuRequirement.MaxCount"/>.</param>
internal sealed record GpuOption(string Type, int Count)
{
    /// <summary>The type that every GPU matches (Modal's <c>gpu="any"</c>).</summary>
    public const string AnyType = "ANY";

    /// <summary>Whether this option takes any GPU model.</summary>
    public bool IsAny => string.Equals(Type, AnyType, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <see cref="Type"/> is one Modal documents; an unknown type still works but deserves a warning.</summary>
    public bool IsKnownType => GpuRequirement.IsKnownType(Type);

    /// <summary>
    /// Whether <paramref name="device"/> is a GPU of this option's type: every <c>-</c>-separated token of the type (a trailing
    /// <c>!</c> or <c>+</c> dropped) occurs in the device name as a whole token, ignoring case and spaces within the token.
    /// </summary>
    /// <remarks>
    /// Whole tokens, because model names nest: <c>L4</c> is a prefix of <c>L40S</c> and <c>A10</c> of <c>A100</c>, so a token
    /// must start and end at a boundary of the name (its ends, a space or punctuation), never next to a letter or digit.
    /// Spaces inside a token are skipped so that <c>80GB</c> also matches a name spelt <c>80 GB</c>.
    /// </remarks>
    public bool Matches(GpuDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (IsAny)
        {
            return true;
        }

        var tokens = Type.TrimEnd('!', '+').Split('-', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // A type of only punctuation names no GPU; Parse refuses it, this guards a hand-built option.
        return tokens.Length > 0 && tokens.All(token => ContainsToken(device.Name, token));
    }

    /// <summary>The canonical form: <c>H100</c> for one GPU, <c>A100-80GB:2</c> for more.</summary>
    public override string ToString() =>
        Count == 1 ? Type : string.Create(CultureInfo.InvariantCulture, $"{Type}:{Count}");

    private static bool ContainsToken(string name, string token)
    {
        for (var start = 0; start < name.Length; start++)
        {
            if ((start > 0 && char.IsLetterOrDigit(name[start - 1])) || !char.IsLetterOrDigit(name[start]))
            {
                continue;
            }

            var end = MatchAt(name, start, token);
            if (end >= 0 && (end == name.Length || !char.IsLetterOrDigit(name[end])))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Where a match of <paramref name="token"/> at <paramref name="start"/> ends (spaces skipped), or -1.</summary>
    private static int MatchAt(string name, int start, string token)
    {
        var position = start;
        foreach (var expected in token)
        {
            while (position < name.Length && name[position] == ' ')
            {
                position++;
            }

            if (position == name.Length || char.ToUpperInvariant(name[position]) != char.ToUpperInvariant(expected))
            {
                return -1;
            }

            position++;
        }

        return position;
    }
}
