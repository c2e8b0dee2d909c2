using Microsoft.Extensions.Logging;

namespace Pipeline.Client;

// Event ids 5000-5099: the client.
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Warning, "No worker host consumes pool {Queue} now: its input waits in the queue until a host serving app '{App}' starts (or finishes entering a container). Start a worker host with that app, or see `pipeline pools`")]
    public static partial void PoolUnserved(ILogger logger, string queue, string app);
}
