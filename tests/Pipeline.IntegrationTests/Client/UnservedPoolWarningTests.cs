using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Client;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Client;

/// <summary>
/// A call to a pool that no worker host consumes does not wait without a word: the client warns, naming the pool and
/// the app to start a host for, while the input keeps waiting durably in the queue.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class UnservedPoolWarningTests(Servers servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RemoteAsync_NoHostServesTheApp_WarnsNamingThePoolAndTheApp()
    {
        var warnings = new Warnings();
        await using var connection = await PipelineConnection.ConnectAsync(TestClient.Options(servers), AppManifests.From(typeof(Work).Assembly), loggers: warnings);
        using var stop = new CancellationTokenSource();

        var call = connection.Client.Function("itest", "slow").RemoteAsync<Reply>(["unserved-" + Guid.NewGuid().ToString("N")[..8], 1], stop.Token);

        await Eventually.TrueAsync(() => !warnings.Lines.IsEmpty, Patience, "the client warned that no host consumes the pool");
        var line = Assert.Single(warnings.Lines);
        Assert.Contains("itest.slow", line, StringComparison.Ordinal);
        Assert.Contains("app 'itest'", line, StringComparison.Ordinal);
        Assert.False(call.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    private sealed class Warnings : ILoggerFactory
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => categoryName == "Pipeline.Client" ? new Writer(Lines) : NullLogger.Instance;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Writer(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (eventId.Id == 5000)
                {
                    lines.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
