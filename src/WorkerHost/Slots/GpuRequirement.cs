using System.Globalization;

namespace Pipeline.WorkerHost.Slots;

/// <summary>
/// What a container needs in GPUs, parsed from the <c>Gpu</c> option in Modal's syntax: one option, or an ordered
/// fallback list whose first option (rank 0) is preferred.
/// </summary>
internal sealed record GpuRequirement
{
    /// <summary>The most GPUs one container may ask for (Modal's limit per container).</summary>
    public const int MaxCount = 8;

    private const string Fix = "Write \"TYPE\" or \"TYPE:COUNT\", e.g. \"A100-80GB:2\".";

    // The types Modal documents (section 9 of modal-semantics.md); others are accepted so that new GPUs work unchanged.
    private static readonly HashSet<string> KnownTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "T4", "L4", "A10", "A10G", "L40S", "A100", "A100-40GB", "A100-80GB", "RTX-PRO-6000",
        "H100", "H100!", "H200", "B200", "B200+", "B300", GpuOption.AnyType,
    };

    /// <summary>Creates a requirement from options in rank order.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> is empty.</exception>
    public GpuRequirement(IEnumerable<GpuOption> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        GpuOption[] copy = [.. options];
        if (copy.Length == 0)
        {
            throw new ArgumentException("A GPU requirement needs at least one option; use no requirement for CPU only.", nameof(options));
        }

        Options = copy;
    }

    /// <summary>The options in rank order; never empty. The first is preferred.</summary>
    public IReadOnlyList<GpuOption> Options { get; }

    /// <summary>
    /// Parses Modal's syntax, ignoring case: <c>"H100"</c>, <c>"A100-80GB:2"</c>, <c>"any"</c>, <c>"any:2"</c>, or a
    /// comma-separated fallback list <c>"H100, A100-80GB:2"</c>. Null or blank means no GPU and returns null.
    /// </summary>
    /// <exception cref="FormatException">An option is empty, has no type, a malformed type, or a count that is not 1 to 8.</exception>
    public static GpuRequirement? Parse(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return null;
        }

        var items = spec.Split(',');
        var options = new List<GpuOption>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i].Trim();
            if (item.Length == 0)
            {
                throw Error(spec, string.Create(
                    CultureInfo.InvariantCulture,
                    $"option {i + 1} of {items.Length} is empty. Separate fallback options with single commas, e.g. \"H100, A100-80GB:2\"."));
            }

            options.Add(ParseOption(spec, item));
        }

        return new GpuRequirement(options);
    }

    /// <summary>Whether <paramref name="type"/> is a GPU type Modal documents (case-insensitive), <c>ANY</c> included.</summary>
    public static bool IsKnownType(string type) => KnownTypes.Contains(type);

    /// <summary>Equal when the options are equal in the same order.</summary>
    public bool Equals(GpuRequirement? other) => other is not null && Options.SequenceEqual(other.Options);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var option in Options)
        {
            hash.Add(option);
        }

        return hash.ToHashCode();
    }

    /// <summary>The canonical form, which <see cref="Parse"/> reads back: <c>H100, A100-80GB:2</c>.</summary>
    public override string ToString() => string.Join(", ", Options);

    private static GpuOption ParseOption(string spec, string item)
    {
        var parts = item.Split(':');
        if (parts.Length > 2)
        {
            throw Error(spec, $"the option \"{item}\" has more than one ':'. {Fix}");
        }

        var type = parts[0].Trim().ToUpperInvariant();
        if (type.Length == 0)
        {
            throw Error(spec, $"the option \"{item}\" has no GPU type before the ':'. {Fix}");
        }

        if (!IsWellFormedType(type))
        {
            throw Error(spec, $"the type \"{parts[0].Trim()}\" is not a GPU type name (letters, digits and single '-', optionally ending in '!' or '+'). {Fix}");
        }

        var count = 1;
        if (parts.Length == 2)
        {
            var text = parts[1].Trim();
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxCount)
            {
                throw Error(spec, string.Create(
                    CultureInfo.InvariantCulture,
                    $"the count \"{text}\" is not a whole number from 1 to {MaxCount}. {Fix}"));
            }
        }

        return new GpuOption(type, count);
    }

    // Letters and digits in '-'-separated tokens, optionally ending in '!' or '+': keeps Matches meaningful (a type of
    // only punctuation would match nothing, or everything) while accepting GPU names Modal has yet to add.
    private static bool IsWellFormedType(string type)
    {
        var body = type[^1] is '!' or '+' ? type[..^1] : type;
        return body.Length > 0 && body.Split('-').All(token => token.Length > 0 && token.All(char.IsAsciiLetterOrDigit));
    }

    private static FormatException Error(string spec, string problem) => new($"Gpu \"{spec}\": {problem}");
}
