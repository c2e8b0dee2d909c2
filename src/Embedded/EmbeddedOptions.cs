using Microsoft.Extensions.Logging;
using Pipeline.WorkerHost;

namespace Pipeline.Embedded;

/// <summary>Settings of the embedded mode.</summary>
public sealed class EmbeddedOptions
{
    /// <summary>The worker settings (grace period, function concurrency).</summary>
    public WorkerOptions Worker { get; } = new();

    /// <summary>The clock; tests pass a fake one. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>
    /// Whether the apps' <c>[Schedule]</c>s fire while the pipeline runs (Quartz's in-memory store; nothing starts when
    /// no function has one). Default true.
    /// </summary>
    public bool Schedules { get; set; } = true;

    /// <summary>Where logs go; default: none. Pipeline logs invocations and container lifecycle at Information.</summary>
    public Action<ILoggingBuilder>? Logging { get; set; }
}
