using Microsoft.Extensions.Logging;

namespace Pipeline.Results.Tests;

/// <summary>A logger that keeps every entry, its exception's full text included, so tests can search what would have been written.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly List<(LogLevel Level, EventId EventId, string Text)> _entries = [];

    public IReadOnlyList<(LogLevel Level, EventId EventId, string Text)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public string AllText => string.Join("\n", Entries.Select(e => e.Text));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        // What a console or file logger would write: the message, the structured values, and the exception with its inner ones.
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
        var text = $"{formatter(state, exception)} | {values} | {exception}";
        lock (_entries)
        {
            _entries.Add((logLevel, eventId, text));
        }
    }
}
