using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
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
    private readonly TaskCompletionSource _broken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly AppObjects _objects;
    private AsyncServiceScope? _scope;
    private Task<bool>? _start;
    private Task? _stop;

    public Container(string queue, ClassDefinition? cls, ParameterSet parameters, TimeProvider time, ILogger logger, IReadOnlyList<int>? gpuIndices = null, AppObjects? objects = null)
    {
        _objects = objects ?? AppObjects.Empty;
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

    /// <summary>The grace for attempts given up on, and where stuck ones are reported. Default: one of its own, 5 s.</summary>
    public StuckAttempts Stuck { get; init; } = new(StuckAttempts.DefaultGrace, TimeSpan.FromSeconds(30));

    /// <summary>
    /// True once the container takes no more input and a fresh one replaces it for the pool: an attempt given up on
    /// ran past <see cref="StuckAttempts.Grace"/> (<see cref="IsStuck"/>), or a cancel asked to terminate it. Its
    /// <c>exit</c> hooks run once every attempt on it has returned, since until then its instance is still in use.
    /// </summary>
    public bool IsBroken { get; private set; }

    /// <summary>True once an attempt given up on ran past the grace; its thread may run on for good.</summary>
    public bool IsStuck { get; private set; }

    /// <summary>Runs the enter hooks once; every caller awaits the same run. True when the container is ready.</summary>
    public Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _start ??= EnterAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Runs the exit hooks once, if enter succeeded, within <paramref name="grace"/>. A broken container whose attempt
    /// still runs does not exit now: its exit follows that attempt's return (with <see cref="StuckAttempts.ExitGrace"/>).
    /// </summary>
    public Task StopAsync(TimeSpan grace)
    {
        lock (_gate)
        {
            if (_stop is null && IsBroken && _abandoned.Exists(static t => !t.IsCompleted))
            {
                Log.ExitDeferred(_logger, Id, Queue);
                return Task.CompletedTask;
            }

            return _stop ??= ExitAsync(grace);
        }
    }

    /// <summary>
    /// Records an attempt whose caller stopped waiting for it (its timeout or a cancel fired) while its code still runs.
    /// The container takes no further input until it ends (see <see cref="SettleAsync"/>); if it runs on past
    /// <see cref="StuckAttempts.Grace"/>, the container is stuck and replaced.
    /// </summary>
    /// <param name="attempt">The running method, from <see cref="StartMethodAsync"/>; null when it never started.</param>
    /// <param name="what">The attempt, for the log: <c>call fc-... to app.function</c>.</param>
    /// <param name="why">Why it was given up on: <c>timed out</c>, <c>cancelled</c>.</param>
    /// <param name="startedAt">When the attempt started, for the stuck report.</param>
    /// <param name="terminate">The caller asked to terminate the container (<c>CancelAsync(terminateContainers: true)</c>).</param>
    public void Abandon(Task? attempt, string what, string why, DateTimeOffset startedAt, bool terminate = false)
    {
        if (attempt is not null && !attempt.IsCompleted)
        {
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
            _ = WatchAsync(attempt, what, startedAt);
        }
        else
        {
            _ = attempt?.Exception;
        }

        if (terminate)
        {
            Log.ContainerTerminated(_logger, Id, Queue, what);
            Break();
        }
    }

    /// <summary>
    /// Waits until the attempts given up on have ended, or one of them is stuck (at most the grace after it was
    /// given up on). False when the container is broken: it must take no more input.
    /// </summary>
    public async Task<bool> SettleAsync()
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

        if (running.Length > 0)
        {
            await Task.WhenAny(Task.WhenAll(running), _broken.Task).ConfigureAwait(false);
        }

        return !IsBroken;
    }

    // Marks the attempt stuck once it runs past the grace; reports it until it returns.
    private async Task WatchAsync(Task attempt, string what, DateTimeOffset startedAt)
    {
        // WhenAny rather than WaitAsync: code that throws a TimeoutException of its own is not stuck.
        using (var ended = new CancellationTokenSource())
        {
            if (await Task.WhenAny(attempt, Task.Delay(Stuck.Grace, _time, ended.Token)).ConfigureAwait(false) == attempt)
            {
                await ended.CancelAsync().ConfigureAwait(false);
                return;
            }
        }

        var stuck = new StuckAttempt(Id, Queue, what, startedAt);
        Stuck.Add(stuck);
        IsStuck = true;
        Log.AttemptStuck(_logger, Id, Queue, what, (_time.GetUtcNow() - startedAt).TotalSeconds, Stuck.Grace.TotalSeconds);
        Break();
        await attempt.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Stuck.Remove(stuck);
        Log.StuckAttemptReturned(_logger, Id, Queue, what, (_time.GetUtcNow() - startedAt).TotalSeconds);
    }

    // The container takes no more input; its exit runs once every attempt on it has returned.
    private void Break()
    {
        lock (_gate)
        {
            if (IsBroken)
            {
                return;
            }

            IsBroken = true;
        }

        // Told before the waiting input is released: a process container ends its process here, so that input never
        // starts on a replacement inside it.
        Stuck.ContainerBroken?.Invoke(Queue, IsStuck);
        _broken.TrySetResult();
        _ = ExitWhenAttemptsEndAsync();
    }

    private async Task ExitWhenAttemptsEndAsync()
    {
        while (true)
        {
            Task[] running;
            lock (_gate)
            {
                _abandoned.RemoveAll(static t => t.IsCompleted);
                running = [.. _abandoned];
            }

            if (running.Length == 0)
            {
                break;
            }

            await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await StopAsync(Stuck.ExitGrace).ConfigureAwait(false);
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
            // The container's scope lives from before enter until after exit: scoped services are the container's own.
            _scope = _objects.CreateScope();
            var instance = AppObjects.CreateInstance(_scope.Value.ServiceProvider, _class, Parameters);
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
        // Counted as started only when StartAsync ran (a process container's stand-in in the host never starts).
        if (_start is not null)
        {
            Telemetry.ContainerExited(Queue);
        }

        var entered = _start is { IsCompletedSuccessfully: true, Result: true };
        if (_class is null || !entered || Instance is null)
        {
            // A broken container exits only once its abandoned attempts have returned (StopAsync), so its scope is free.
            await DisposeScopeAsync().ConfigureAwait(false);

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

        await DisposeScopeAsync().ConfigureAwait(false);
        State = ContainerState.Stopped;
        Log.Stopped(_logger, Id, Queue);
    }

    /// <summary>
    /// Starts <paramref name="method"/> on this container's instance; an instance function gets an object of its class
    /// built in a scope of its own, disposed when the method ends (even one given up on).
    /// </summary>
    /// <param name="method">A discovered method.</param>
    /// <param name="arguments">Its bound arguments.</param>
    public Task<object?> StartMethodAsync(MethodInfo method, object?[] arguments)
    {
        if (method.IsStatic || Instance is not null)
        {
            return MethodRunner.StartAsync(method, Instance, arguments);
        }

        return Task.Run(async () =>
        {
            await using var scope = _objects.CreateScope();
            var target = AppObjects.Create(scope.ServiceProvider, method.ReflectedType!);
            return await MethodRunner.RunAsync(method, target, arguments).ConfigureAwait(false);
        });
    }

    private async Task DisposeScopeAsync()
    {
        if (_scope is { } scope)
        {
            _scope = null;
            try
            {
                await scope.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.ExitFailed(_logger, e, Id, Queue, "(disposing services)");
            }
        }
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
