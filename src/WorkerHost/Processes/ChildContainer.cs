using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Lifecycle;
using Pipeline.WorkerHost.Pools;

namespace Pipeline.WorkerHost.Processes;

/// <summary>
/// The host's side of one process container: the pool's endpoint while the child runs. It passes the child's log
/// through, mirrors the child's in-flight count into the pool's slot (so scale-down, eviction and metrics see it),
/// asks it to stop on the child's standard input, kills it when it does not stop in time, and reports an exit nobody
/// asked for through <see cref="Lost"/>: the pool then releases its slots and a fresh child replaces it.
/// </summary>
internal sealed class ChildContainer : IPoolEndpoint, IDisposable
{
    private readonly Process _process;
    private readonly string _queue;
    private readonly ContainerSlot _slot;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<bool> _exited;
    private readonly long _started;
    private readonly CancellationTokenSource _lost = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private int _inFlight;
    private string? _killing;
    private volatile bool _stopping;

    private ChildContainer(Process process, string queue, ContainerSlot slot, TimeProvider time, ILogger logger, Action<bool> exited)
    {
        _process = process;
        _queue = queue;
        _slot = slot;
        _time = time;
        _logger = logger;
        _exited = exited;
        _started = time.GetTimestamp();
        Pid = process.Id;
        Lost = _lost.Token;
    }

    public int Pid { get; }

    public CancellationToken Lost { get; }

    /// <summary>Starts the child; <paramref name="exited"/> is told once whether it ended as a crash.</summary>
    public static ChildContainer Start(ProcessStartInfo start, string queue, ContainerSlot slot, TimeProvider time, ILogger logger, Action<bool> exited)
    {
        var process = new Process { StartInfo = start };
        process.Start();
        var child = new ChildContainer(process, queue, slot, time, logger, exited);
        _ = child.ReadAsync();
        return child;
    }

    /// <summary>Waits until the child reports that it consumes the queue.</summary>
    /// <exception cref="InvalidOperationException">The child exited first, or did not report within <paramref name="timeout"/>.</exception>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _ready.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"The container process {Pid} of pool {_queue} did not report ready within {timeout.TotalSeconds:0} s.", e);
        }

        ProcessesLog.Ready(_logger, _queue, Pid, _time.GetElapsedTime(_started).TotalMilliseconds);
    }

    /// <summary>Asks the child to stop (drain, exit hooks) and waits; kills it when <paramref name="cancellationToken"/> fires first.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        try
        {
            await _process.StandardInput.WriteLineAsync(ContainerProcess.Stop.AsMemory(), cancellationToken).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            await _exit.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            if (!_exit.Task.IsCompleted)
            {
                ProcessesLog.StopTimedOut(_logger, _queue, Pid);
                await KillAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>Kills the child (SIGKILL) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        _stopping = true;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // Gone already.
        }

        await ((Task)_exit.Task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        _lost.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith(ContainerProcess.StatusPrefix, StringComparison.Ordinal))
                {
                    OnStatus(line[ContainerProcess.StatusPrefix.Length..]);
                }
                else
                {
                    // The child's log, passed through whole lines at a time.
                    Console.Out.WriteLine(line);
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke with the process.
        }

        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        OnExit(_process.ExitCode);
        _process.Dispose();
    }

    private void OnStatus(string status)
    {
        if (status == ContainerProcess.Ready)
        {
            _ready.TrySetResult();
        }
        else if (status.StartsWith(ContainerProcess.InFlight, StringComparison.Ordinal) &&
            int.TryParse(status.AsSpan(ContainerProcess.InFlight.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var now))
        {
            Mirror(now);
        }
        else if (status.StartsWith(ContainerProcess.Killing, StringComparison.Ordinal))
        {
            _killing = status[ContainerProcess.Killing.Length..];
            ProcessesLog.Killing(_logger, _queue, Pid, _killing);
        }
    }

    // The slot counts the child's inputs as its own, so the pool looks busy or idle as the child is.
    private void Mirror(int now)
    {
        lock (_gate)
        {
            for (; _inFlight < now; _inFlight++)
            {
                _slot.BeginInput();
            }

            for (; _inFlight > now; _inFlight--)
            {
                _slot.EndInput();
            }
        }
    }

    private void OnExit(int code)
    {
        Mirror(0);
        var exit = code > 128 && !OperatingSystem.IsWindows() ? $"signal {code - 128}" : $"exit code {code}";
        // A clean exit (the pool ended in the child) or a kill the child asked for replaces at once; anything else is a
        // crash, replaced after the same back-off as a failed enter.
        var crash = !_stopping && code != 0 && _killing is null;
        _exited(crash);
        if (_stopping)
        {
            ProcessesLog.Stopped(_logger, _queue, Pid, exit);
        }
        else if (_killing is null)
        {
            ProcessesLog.ExitedUnexpectedly(_logger, _queue, Pid, exit);
        }

        _exit.TrySetResult(code);
        _ready.TrySetException(new InvalidOperationException($"The container process {Pid} of pool {_queue} exited ({exit}) before it was ready; its log is above."));
        if (!_stopping)
        {
            try
            {
                _lost.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Stopped meanwhile.
            }
        }
    }
}
