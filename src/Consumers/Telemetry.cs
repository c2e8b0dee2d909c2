using System.Diagnostics;
using System.Diagnostics.Metrics;
using Pipeline.Messages.Invocations;

namespace Pipeline.Consumers;

/// <summary>
/// Pipeline's traces and metrics, both named <c>Pipeline</c> (<see cref="Name"/>): spans for each attempt of a call
/// (a child of MassTransit's consume span, so one trace runs from the caller's send through the broker to the
/// function), each batch, and each container's enter and exit; counters and histograms of outcomes, durations, queue
/// waits, retries, container starts and exits, enter durations and batch sizes. Nothing is recorded unless a listener
/// (an OpenTelemetry exporter, <c>dotnet-counters</c>) subscribes. Never records arguments, results or parameters.
/// </summary>
internal static class Telemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Pipeline";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Invocations = Meter.CreateCounter<long>(
        "pipeline.invocations", "{invocation}", "Calls that ended, by status (Succeeded, Failed, TimedOut, Cancelled, Rejected, EnterFailed); retried attempts are not counted here.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "pipeline.invocation.duration", "s", "How long each attempt ran, by status.");

    private static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>(
        "pipeline.invocation.queue_wait", "s", "From the caller's send to the start of the first attempt.");

    private static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "pipeline.invocation.retries", "{retry}", "Attempts that failed or timed out and were scheduled again.");

    private static readonly Counter<long> ContainerStarts = Meter.CreateCounter<long>(
        "pipeline.container.starts", "{container}", "Containers started (class containers run enter first).");

    private static readonly Counter<long> ContainerExits = Meter.CreateCounter<long>(
        "pipeline.container.exits", "{container}", "Containers stopped (class containers run exit first, unless enter failed).");

    private static readonly Histogram<double> EnterDuration = Meter.CreateHistogram<double>(
        "pipeline.container.enter.duration", "s", "How long a class container's enter hooks took, by outcome.");

    private static readonly Histogram<long> BatchSize = Meter.CreateHistogram<long>(
        "pipeline.batch.size", "{input}", "Inputs per run of a [Batched] method.");

    /// <summary>Starts the span of one attempt of a call: a child of the current (MassTransit consume) activity.</summary>
    public static Activity? StartAttempt(RunInvocation message)
    {
        // The span's name and tags cost strings on every input: build them only when something listens.
        if (!Source.HasListeners())
        {
            return null;
        }

        var target = Target(message);
        var activity = Source.StartActivity("pipeline.attempt " + target, ActivityKind.Internal);
        activity?.SetTag("pipeline.call_id", message.CallId)
            .SetTag("pipeline.app", message.App)
            .SetTag("pipeline.function", target)
            .SetTag("pipeline.attempt", Math.Max(1, message.Attempt));
        if (message.ParentCallId is { } parent)
        {
            activity?.SetTag("pipeline.parent_call_id", parent);
        }

        return activity;
    }

    /// <summary>Ends an attempt's span with its status, and records the attempt's metrics.</summary>
    /// <param name="activity">The span from <see cref="StartAttempt"/>, or null when nobody listens.</param>
    /// <param name="message">The input.</param>
    /// <param name="outcome">How the attempt ended.</param>
    /// <param name="retried">Whether another attempt was scheduled.</param>
    public static void EndAttempt(Activity? activity, RunInvocation message, InvocationCompleted outcome, bool retried)
    {
        if (activity is null && !Duration.Enabled && !QueueWait.Enabled && !Retries.Enabled && !Invocations.Enabled)
        {
            return;
        }

        var status = outcome.Status.ToString();
        var target = new KeyValuePair<string, object?>("pipeline.function", Target(message));
        var statusTag = new KeyValuePair<string, object?>("pipeline.status", status);
        if (activity is not null)
        {
            activity.SetTag("pipeline.status", status).SetTag("pipeline.retried", retried);
            activity.SetStatus(outcome.Status == InvocationStatus.Succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error, outcome.Error?.Message);
        }

        if (outcome.StartedAt != default && outcome.FinishedAt >= outcome.StartedAt)
        {
            Duration.Record((outcome.FinishedAt - outcome.StartedAt).TotalSeconds, target, statusTag);
        }

        if (message.Attempt <= 1 && message.SentAt is { } sent && outcome.StartedAt >= sent)
        {
            QueueWait.Record((outcome.StartedAt - sent).TotalSeconds, target);
        }

        if (retried)
        {
            Retries.Add(1, target, statusTag);
        }
        else
        {
            Invocations.Add(1, target, statusTag);
        }
    }

    private static string Target(RunInvocation message) =>
        message.Class is null ? $"{message.App}.{message.Function}" : $"{message.App}.{message.Class}.{message.Function}";

    /// <summary>Counts a container that starts (a function's too, which has no hooks).</summary>
    public static void ContainerStarted(string queue) => ContainerStarts.Add(1, new KeyValuePair<string, object?>("pipeline.queue", queue));

    /// <summary>Counts a container that stops.</summary>
    public static void ContainerExited(string queue) => ContainerExits.Add(1, new KeyValuePair<string, object?>("pipeline.queue", queue));

    /// <summary>Starts the span of a class container's enter hooks.</summary>
    public static Activity? StartEnter(string queue, string containerId) =>
        Source.StartActivity("pipeline.enter " + queue)?.SetTag("pipeline.queue", queue).SetTag("pipeline.container_id", containerId);

    /// <summary>Ends the enter span and records how long enter took.</summary>
    public static void EndEnter(Activity? activity, string queue, TimeSpan elapsed, bool entered)
    {
        activity?.SetStatus(entered ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
        EnterDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("pipeline.queue", queue), new KeyValuePair<string, object?>("pipeline.entered", entered));
    }

    /// <summary>Starts the span of a class container's exit hooks.</summary>
    public static Activity? StartExit(string queue, string containerId) =>
        Source.StartActivity("pipeline.exit " + queue)?.SetTag("pipeline.queue", queue).SetTag("pipeline.container_id", containerId);

    /// <summary>Starts the span of one run of a batched method and records the batch's size.</summary>
    public static Activity? StartBatch(string target, int size)
    {
        BatchSize.Record(size, new KeyValuePair<string, object?>("pipeline.function", target));
        return Source.StartActivity("pipeline.batch " + target)?.SetTag("pipeline.function", target).SetTag("pipeline.batch_size", size);
    }
}
