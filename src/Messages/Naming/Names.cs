using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Messages.Naming;

/// <summary>
/// Turns C# identifiers into the kebab-case names people read in queues and type in calls:
/// <c>NightlyReportAsync</c> becomes <c>nightly-report</c>, <c>LLMModel</c> becomes <c>llm-model</c>.
/// </summary>
public static class Names
{
    /// <summary>Normalizes an identifier or a user-typed name. Idempotent: a normalized name maps to itself.</summary>
    /// <param name="name">A C# identifier (<c>NightlyReportAsync</c>) or a name (<c>nightly-report</c>).</param>
    /// <returns>Lowercase letters, digits and single hyphens; empty when nothing usable is left.</returns>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (IsNormal(name))
        {
            // Every input names its app and function normalized already: no allocation on that path.
            return name;
        }

        if (name.Length > 5 && name.EndsWith("Async", StringComparison.Ordinal))
        {
            name = name[..^5];
        }

        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterUpper(c))
            {
                var previous = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                var startsWord = char.IsAsciiLetterLower(previous) || char.IsAsciiDigit(previous) ||
                    (char.IsAsciiLetterUpper(previous) && char.IsAsciiLetterLower(next));
                if (startsWord)
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('-');
            }
        }

        return CollapseHyphens(builder.ToString());
    }

    /// <summary>Appends a short hash so that a shortened name stays unique.</summary>
    /// <param name="name">The full name.</param>
    /// <param name="maxLength">The longest result allowed.</param>
    internal static string Shorten(string name, int maxLength)
    {
        if (name.Length <= maxLength)
        {
            return name;
        }

        var suffix = "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        return name[..(maxLength - suffix.Length)].TrimEnd('-', '.') + suffix;
    }

    // Lowercase letters, digits and single inner hyphens: what Normalize returns unchanged.
    private static bool IsNormal(string name)
    {
        if (name.Length == 0 || name[0] == '-' || name[^1] == '-')
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '-' ? name[i - 1] == '-' : !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
            {
                return false;
            }
        }

        return true;
    }

    private static string CollapseHyphens(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c == '-' && (builder.Length == 0 || builder[^1] == '-'))
            {
                continue;
            }

            builder.Append(c);
        }

        return builder.ToString().TrimEnd('-');
    }
}
