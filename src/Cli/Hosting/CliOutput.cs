using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Pipeline.Cli.Hosting;

/// <summary>Where a verb prints: results on standard output (text, tables, or JSON with <c>--json</c>), errors on standard error.</summary>
internal sealed class CliOutput
{
    /// <summary>How JSON is printed: camelCase, readable non-ASCII, no HTML escaping (it goes to a terminal or a script).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonSerializerOptions IndentedOptions = new(JsonOptions) { WriteIndented = true };

    public CliOutput(bool json, TextWriter? output = null, TextWriter? error = null)
    {
        Json = json;
        Out = output ?? System.Console.Out;
        Error = error ?? System.Console.Error;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),

            // Redirected output is for scripts and files: no colours or cursor moves, and wide enough that tables do not fold.
            Ansi = System.Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            Interactive = System.Console.IsOutputRedirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (System.Console.IsOutputRedirected)
        {
            Ansi.Profile.Width = 240;
        }
    }

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool Json { get; }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>The console for tables, on standard output.</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>Prints an object as one JSON document (indented) on standard output.</summary>
    public void WriteJson<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value, IndentedOptions));

    /// <summary>Prints a function's result: a string as itself, anything else as indented JSON.</summary>
    public void WriteValue(JsonElement? value)
    {
        if (value is { ValueKind: JsonValueKind.String } text)
        {
            Out.WriteLine(text.GetString());
            return;
        }

        Out.WriteLine(value is { } json ? JsonSerializer.Serialize(json, IndentedOptions) : "null");
    }

    /// <summary>Prints the one-line error on standard error.</summary>
    public void WriteError(string message) => Error.WriteLine("error: " + message);

    /// <summary>Compact JSON of a value, for one line of JSON lines output.</summary>
    public static string Compact<T>(T value) => JsonSerializer.Serialize(value, JsonOptions);
}
