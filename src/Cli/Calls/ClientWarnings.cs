using Microsoft.Extensions.Logging;

namespace Pipeline.Cli.Calls;

/// <summary>
/// Shows the client's own warnings (such as "no worker host consumes this pool") on standard error as one line each,
/// and nothing from the bus underneath: the CLI speaks in lines, not in log records.
/// </summary>
internal sealed class ClientWarnings(TextWriter error) : ILoggerFactory
{
    private const string ClientCategory = "Pipeline.Client";

    public ILogger CreateLogger(string categoryName) =>
        categoryName == ClientCategory ? new Writer(error) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Writer(TextWriter error) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                error.WriteLine("warning: " + formatter(state, exception));
            }
        }
    }
}
