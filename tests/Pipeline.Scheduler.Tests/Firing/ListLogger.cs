using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pipeline.Scheduler.Tests.Firing;

/// <summary>Keeps every log line (event id and message) for the tests to read.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(int EventId, string Message)> _lines = new();

    public IReadOnlyList<(int EventId, string Message)> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue((eventId.Id, formatter(state, exception)));
}
