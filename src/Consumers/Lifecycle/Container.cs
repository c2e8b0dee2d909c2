using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Execution;
using Pipeline.Messages.Invocations;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Lifecycle;

/// <summary>
/// One instance of a class with one parameter set (or the stateless home of a function), bound to a pool.
/// It runs every <c>enter</c> hook once before its first input, and every <c>exit</c> hook once when it stops,
/// unless <c>enter</c> failed (Modal's lifecycle, modal-semantics.md section 1).
/// </summary>
internal sealed class Container
{
    private readonly ClassDefinition? _class;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<Task> _abandoned = [];
    private Task<bool>? _start;
    private Task? _stop;

    public Container(string queue, ClassDefinition? cls, ParameterSet parameters, TimeProvider time, ILogger logger, IReadOnlyList<int>? gpuIndices = null)
    {
        Queue = queue;
        _class = cls;
        Parameters = parameters;
        _time = time;
        _logger = logger;
        Id = "ct-" + Guid.NewGuid().ToString("N")[..12];
        Context = new ContainerContext(Id, queue, gpuIndices ?? [], parameters.Values.ToDictionary(v => v.Key, v => (object?)v.Value.Value, StringComparer.Ordinal));
    }

    /// <summary>What user code sees as <see cref="ContainerContext.Current"/> while it runs in this container.</summary>
    public ContainerContext Context { get; }

    public string Id { get; }

    public string Queue { get; }

    public ParameterSet Parameters { get; }

    public ContainerState State { get; private set; } = ContainerState.Created;

    /// <summary>The instance methods run on; null for a function container.</summary>
    public object? Instance { get; private set; }

    /// <summary>Why <c>enter</c> failed, when <see cref="State"/> is <see cref="ContainerState.Failed"/>.</summary>
    public RemoteError? EnterError { get; private set; }

    /// <summary>
    /// How long an attempt given up on (timed out or cancelled) may go on running before its container is broken: code
    /// that honours its token ends within it, code that ignores it or blocks does not.
    /// </summary>
    public static TimeSpan AbandonGrace { get; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// True once an attempt given up on ran past <see cref="AbandonGrace"/>: the container takes no more input (a new one
    /// is entered in its place) and its exit hooks never run, since its instance may still be in use by that thread.
    /// </summary>
    public bool IsBroken { get; private set; }

    /// <summary>Runs the enter hooks once; every caller awaits the same run. True when the container is ready.</summary>
    public Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _start ??= EnterAsync(cancellationToken);
        }
    }

    /// <summary>Runs the exit hooks once, if enter succeeded, within <paramref name="grace"/>.</summary>
    public Task StopAsync(TimeSpan grace)
    {
        lock (_gate)
        {
            return _stop ??= ExitAsync(grace);
        }
    }

    /// <summary>
    /// Records an attempt whose caller stopped waiting for it (its timeout or a cancel fired) while its code still runs.
    /// The container takes no further input until it ends (see <see cref="SettleAsync"/>).
    /// </summary>
    /// <param name="attempt">The running method, from <see cref="MethodRunner.StartAsync"/>; null when it never started.</param>
    /// <param name="what">The attempt, for the log: <c>call fc-... to app.function</c>.</param>
    /// <param name="why">Why it was given up on: <c>timed out</c>, <c>cancelled</c>.</param>
    public void Abandon(Task? attempt, string what, string why)
    {
        if (attempt is null || attempt.IsCompleted)
        {
            _ = attempt?.Exception;
            return;
        }

        lock (_gate)
        {
            _abandoned.RemoveAll(static t => t.IsCompleted);
            _abandoned.Add(attempt);
        }

        Log.AttemptAbandoned(_logger, Id, Queue, what, why);
        _ = attempt.ContinueWith(
            t => Log.AbandonedAttemptEnded(_logger, Id, Queue, what, t.Status switch
            {
                TaskStatus.RanToCompletion => "its result is dropped",
                TaskStatus.Canceled => "cancelled",
                _ => "threw " + t.Exception!.InnerException!.GetType().Name,
            }),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Waits, up to <paramref name="grace"/>, for the attempts given up on to end. False when the container is broken
    /// (one still runs after the grace, now or before): it must take no more input.
    /// </summary>
    /// <param name="grace">How long they may still run.</param>
    public async Task<bool> SettleAsync(TimeSpan grace)
    {
        Task[] running;
        lock (_gate)
        {
            if (IsBroken)
            {
                return false;
            }

            _abandoned.RemoveAll(static t => t.IsCompleted);
            running = [.. _abandoned];
        }

        if (running.Length == 0)
        {
            return true;
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(grace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                if (IsBroken)
                {
                    return false;
                }

                IsBroken = true;
            }

            Log.ContainerBroken(_logger, Id, Queue, running.Count(t => !t.IsCompleted), grace.TotalSeconds);
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // They ended, by throwing: the container is fine. (Abandon's continuation logged how each ended.)
        }

        return !IsBroken;
    }

    private async Task<bool> EnterAsync(CancellationToken cancellationToken)
    {
        Telemetry.ContainerStarted(Queue);
        if (_class is null)
        {
            State = ContainerState.Ready;
            return true;
        }

        State = ContainerState.Entering;
        ContainerContext.Enter(Context);
        Log.Entering(_logger, Id, Queue, Parameters.ToString());
        using var span = Telemetry.StartEnter(Queue, Id);
        var started = _time.GetTimestamp();
        MethodInfo? current = null;
        try
        {
            var instance = Activator.CreateInstance(_class.Type, nonPublic: true)!;
            foreach (var parameter in _class.Parameters)
            {
                Parameters.TryGetValue(parameter.Spec.Name, out var value);
                parameter.Assign(instance, value);
            }

            Instance = instance;
            using var timeout = new CancellationTokenSource(_class.Settings.Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            foreach (var hook in _class.EnterHooks)
            {
                current = hook;
                try
                {
                    // Started off this thread, so the class Timeout fires even for a hook that blocks.
                    await RunHookAsync(hook, instance, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException(
                        $"Enter hook {hook.Name} did not finish within the class Timeout of {_class.Settings.Timeout.TotalSeconds:0.###} s. Load faster, or raise Timeout on [Cls].", e);
                }
            }

            State = ContainerState.Ready;
            Log.Entered(_logger, Id, Queue, _time.GetElapsedTime(started).TotalMilliseconds);
            Telemetry.EndEnter(span, Queue, _time.GetElapsedTime(started), entered: true);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            EnterError = RemoteErrors.From(e);
            State = ContainerState.Failed;
            Log.EnterFailed(_logger, e, Id, Queue, current?.Name ?? "(constructor)");
            Telemetry.EndEnter(span, Queue, _time.GetElapsedTime(started), entered: false);
            return false;
        }
    }

    private async Task ExitAsync(TimeSpan grace)
    {
        Telemetry.ContainerExited(Queue);
        var entered = _start is { IsCompletedSuccessfully: true, Result: true };
        if (_class is null || !entered || Instance is null || IsBroken)
        {
            State = ContainerState.Stopped;
            return;
        }

        State = ContainerState.Exiting;
        Log.Exiting(_logger, Id, Queue);
        using var span = Telemetry.StartExit(Queue, Id);
        using var graceToken = new CancellationTokenSource(grace, _time);
        // Each hook starts off this thread (RunHookAsync), so the grace holds even for one that blocks.
        var hooks = RunExitHooksAsync(Instance, graceToken.Token);
        try
        {
            await hooks.WaitAsync(grace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.ExitTimedOut(_logger, Id, Queue, grace.TotalSeconds);
        }

        State = ContainerState.Stopped;
        Log.Stopped(_logger, Id, Queue);
    }

    private async Task RunExitHooksAsync(object instance, CancellationToken cancellationToken)
    {
        ContainerContext.Enter(Context);
        foreach (var hook in _class!.ExitHooks)
        {
            try
            {
                await RunHookAsync(hook, instance, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Modal's rule: an exit hook that raises skips the later ones.
                Log.ExitFailed(_logger, e, Id, Queue, hook.Name);
                return;
            }
        }
    }

    private static Task<object?> RunHookAsync(MethodInfo hook, object instance, CancellationToken cancellationToken)
    {
        Debug.Assert(hook.GetParameters().Length <= 1, "Discovery allows at most a CancellationToken.");
        object?[] arguments = hook.GetParameters().Length == 1 ? [cancellationToken] : [];
        return MethodRunner.StartAsync(hook, instance, arguments);
    }
}
