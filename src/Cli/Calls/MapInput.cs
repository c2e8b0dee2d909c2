using System.Text.Json;
using Pipeline.Cli.Hosting;

namespace Pipeline.Cli.Calls;

/// <summary>
/// The inputs of <c>pipeline map</c>: a JSON lines file (or <c>-</c> for standard input), one input per line, blank lines
/// skipped. A file is read twice: once to check every line and count them (for the ETA), once to send. Each line is
/// checked against the function's arguments (count and types) before it is sent.
/// </summary>
internal sealed class MapInput(string path, bool star, Action<IReadOnlyList<JsonElement>> check)
{
    private bool IsStandardInput => path == "-";

    /// <summary>Checks every line of a file and counts the inputs; null for standard input, which is read as it comes.</summary>
    public int? Count()
    {
        if (IsStandardInput)
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new CliException($"--input '{path}' does not exist (resolved to '{Path.GetFullPath(path)}'); give a JSON lines file, or - for standard input", ExitCodes.Usage);
        }

        return Read().Count();
    }

    /// <summary>Each input's positional arguments: the line itself, or with <c>--star</c> the line's array items.</summary>
    public IEnumerable<IReadOnlyList<object?>> Read()
    {
        var number = 0;
        using var reader = IsStandardInput ? Console.In : new StreamReader(path);
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return Parse(line, number);
        }
    }

    private List<object?> Parse(string line, int number)
    {
        JsonElement value;
        try
        {
            using var document = JsonDocument.Parse(line);
            value = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CliException($"{Name} line {number} is not JSON ({e.Message}); write one JSON value per line: 7, \"text\", {{\"a\": 1}}", ExitCodes.Usage);
        }

        List<JsonElement> args = !star ? [value]
            : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList()
            : throw new CliException($"{Name} line {number} is not a JSON array, which --star needs (one array of arguments per line: [1, \"a\"])", ExitCodes.Usage);
        try
        {
            check(args);
        }
        catch (CliException e)
        {
            throw new CliException($"{Name} line {number}: {e.Message}{(star ? "" : " (each line is the single argument; --star takes an array of arguments per line)")}", ExitCodes.Usage);
        }

        return args.Select(a => (object?)a).ToList();
    }

    private string Name => IsStandardInput ? "standard input" : path;
}
