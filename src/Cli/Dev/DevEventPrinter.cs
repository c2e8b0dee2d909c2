using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipeline.Cli.Dev;

/// <summary>
/// Prints what <c>pipeline dev</c> shows as it happens: container lifecycle and each call's outcome (Pipeline.Consumers'
/// events 1000-1099), pools starting and stopping (Pipeline.WorkerHost's), and schedule fires (Pipeline.Scheduler's),
/// one timestamped line each. Every other log line is dropped, so the app's own output stays readable.
/// </summary>
internal sealed class DevEventPrinter(TextWriter output, TimeProvider time) : ILoggerProvider, ILogger
{
    private static readonly HashSet<int> PoolEvents = [2000, 2001, 2005, 2006, 2007, 2010];
    private static readonly HashSet<int> ScheduleEvents = [3001, 3002, 3003, 3004, 3005];
    private readonly Lock _gate = new();

    public static bool Shows(EventId id) => id.Id is >= 1000 and < 1100 || PoolEvents.Contains(id.Id) || ScheduleEvents.Contains(id.Id);

    // Other libraries (MassTransit, Quartz) may use the same event ids for their own messages.
    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("Pipeline.", StringComparison.Ordinal) ? this : NullLogger.Instance;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    // Debug included: a call's outcome is a Debug event in a worker host, where it would be noise.
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!Shows(eventId))
        {
            return;
        }

        var line = $"{time.GetLocalNow():HH:mm:ss.fff}  {formatter(state, exception)}";
        if (exception is not null)
        {
            line += $": {exception.GetType().Name}: {exception.Message}";
        }

        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    public void Dispose()
    {
    }
}
