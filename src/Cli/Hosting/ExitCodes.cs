namespace Pipeline.Cli.Hosting;

/// <summary>The exit codes of every verb, as docs/cli.md lists them for scripts.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The work failed: a call failed, timed out, was rejected or cancelled; a map had a failed input; an id or schedule is unknown.</summary>
    public const int Failed = 1;

    /// <summary>Wrong usage: a bad argument or option, an unknown app or function, bad JSON, a missing app assembly.</summary>
    public const int Usage = 2;

    /// <summary>A server is unreachable: RabbitMQ (AMQP or management API) or PostgreSQL.</summary>
    public const int Unreachable = 3;

    /// <summary><c>get --timeout</c> or <c>call --timeout</c> ran out while the call was still pending.</summary>
    public const int Pending = 4;

    /// <summary>Stopped by Ctrl-C (SIGINT) or SIGTERM, except <c>dev</c>, for which that is the normal end (0).</summary>
    public const int Interrupted = 130;
}
