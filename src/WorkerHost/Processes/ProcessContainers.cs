using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Lifecycle;
using Pipeline.WorkerHost.Pools;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Processes;

/// <summary>
/// Runs a pool's container as a child process of this host: the same executable and arguments, put into
/// single-container mode for that pool by <see cref="ContainerProcess.PoolVariable"/>, with
/// <c>CUDA_VISIBLE_DEVICES</c> set to the GPUs of its slot lease. The child enters, consumes the pool's queue on its
/// own broker connection and exits on request; the host sees it as the pool's endpoint (<see cref="ChildContainer"/>).
/// How many containers a pool has is the pool manager's business; this only says where one runs.
/// </summary>
internal sealed class ProcessContainers(AppRegistry registry, SlotInventory slots, TimeProvider time, IOptions<WorkerOptions> options, ILoggerFactory loggers)
{
    // Margin between the child's own grace (drain and exit) and the host's, for the child's runtime to shut down.
    private static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(2);

    // A child that never reports ready is given up on after its enter timeout plus this (process and bus start).
    private static readonly TimeSpan StartAllowance = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _crashedAt = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<ProcessContainers>();

    /// <summary>
    /// Whether the pool's containers run as processes: the host's <see cref="WorkerOptions.Isolation"/> when set, else
    /// the function's or class's, else a process for a pool with a GPU requirement. A pool for a target the app does
    /// not have (its inputs are rejected) always runs in process.
    /// </summary>
    public bool Runs(PoolPlan plan)
    {
        var known = plan.Class is not null || registry.FindFunction(plan.Demand.App, plan.Demand.Function ?? "") is not null;
        var isolation = options.Value.Isolation != ContainerIsolation.Auto ? options.Value.Isolation : plan.Settings.Isolation;
        return known && isolation switch
        {
            ContainerIsolation.Process => true,
            ContainerIsolation.InProcess => false,
            _ => plan.Gpu is not null,
        };
    }

    /// <summary>
    /// Starts the child and waits until it has entered and consumes the queue. A child that crashed a moment ago is
    /// replaced only after <see cref="WorkerOptions.EnterRestartBackoff"/>, as a failed <c>enter</c> is.
    /// </summary>
    /// <exception cref="InvalidOperationException">The child exited, or did not become ready in time.</exception>
    public async Task<IPoolEndpoint> StartAsync(PoolPlan plan, SlotLease lease, ContainerSlot slot, CancellationToken cancellationToken)
    {
        if (_crashedAt.TryGetValue(plan.Queue, out var crashed))
        {
            var since = time.GetUtcNow() - crashed;
            var wait = options.Value.EnterRestartBackoff - since;
            if (wait > TimeSpan.Zero)
            {
                ProcessesLog.BackingOff(_logger, plan.Queue, since.TotalSeconds, wait.TotalSeconds);
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
        }

        var gpus = slots.Gpus.Where(g => lease.GpuIndices.Contains(g.Index)).ToList();
        var child = ChildContainer.Start(StartInfo(plan, gpus), plan.Queue, slot, time, _logger, crash => OnExited(plan.Queue, crash));
        ProcessesLog.Started(_logger, plan.Queue, child.Pid, string.Join(",", lease.GpuIndices));
        try
        {
            await child.WaitReadyAsync(plan.Settings.Timeout + StartAllowance, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await child.KillAsync().ConfigureAwait(false);
            child.Dispose();
            throw;
        }

        return child;
    }

    private void OnExited(string queue, bool crash)
    {
        if (crash)
        {
            _crashedAt[queue] = time.GetUtcNow();
        }
        else
        {
            _crashedAt.TryRemove(queue, out _);
        }
    }

    private ProcessStartInfo StartInfo(PoolPlan plan, IReadOnlyList<GpuDevice> gpus)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("This process has no executable path to start a process container from.");
        var start = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };

        // `dotnet app.dll ...` starts the runtime with the app as its first argument; an apphost is the app itself.
        if (string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase) &&
            Assembly.GetEntryAssembly()?.Location is { Length: > 0 } app)
        {
            start.ArgumentList.Add(app);
        }

        foreach (var argument in Environment.GetCommandLineArgs().Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        var grace = options.Value.ExitGracePeriod - ShutdownMargin;
        start.Environment[ContainerProcess.PoolVariable] = ContainerProcess.Serialize(plan.Demand);
        start.Environment[ContainerProcess.GpusVariable] = ContainerProcess.Serialize(gpus);
        start.Environment[GpuVisibility.Variable] = string.Join(",", gpus.Select(g => g.Index));
        start.Environment["Pipeline__Worker__ExitGracePeriod"] = (grace > TimeSpan.FromSeconds(1) ? grace : TimeSpan.FromSeconds(1)).ToString("c");
        start.Environment["Pipeline__Health__Enabled"] = "false";
        return start;
    }
}
