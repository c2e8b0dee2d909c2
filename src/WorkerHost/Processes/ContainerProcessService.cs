using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Invocations;
using Pipeline.WorkerHost.Pools;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Processes;

/// <summary>
/// The child's side of a process container, in place of the host's reconciler: it starts its one pool (enter, then
/// consuming), tells the host when it is ready and how many inputs run, stops when the host writes
/// <see cref="ContainerProcess.Stop"/> or its standard input ends (the host is gone), and ends the process when the pool
/// stops on its own (a lost broker connection). A container that breaks (an attempt stuck past its grace, a
/// terminating cancel) is not replaced in here: the process kills itself, skipping <c>exit</c>, and the host starts a
/// fresh one.
/// </summary>
internal sealed class ContainerProcessService(
    PoolDemanded demand,
    PoolManager pools,
    SlotInventory slots,
    StuckAttempts stuck,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ContainerProcessService> logger) : BackgroundService
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(100);
    private static readonly Lock Output = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ProcessesLog.ChildServing(logger, demand.Queue, string.Join(",", slots.Gpus.Select(g => g.Index)));
        stuck.ContainerBroken = OnBroken;
        await pools.EnsureAsync(demand, stoppingToken).ConfigureAwait(false);
        if (!pools.IsServing(demand.Queue))
        {
            ProcessesLog.ChildPoolNotStarted(logger, demand.Queue);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        Report(ContainerProcess.Ready);
        _ = Task.Run(() => WatchInputAsync(stoppingToken), CancellationToken.None);
        var reported = 0;
        using var timer = new PeriodicTimer(ReportInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (pools.Activity().FirstOrDefault(a => a.Queue == demand.Queue) is not { } activity)
                {
                    ProcessesLog.ChildPoolEnded(logger, demand.Queue, "its consumer ended");
                    lifetime.StopApplication();
                    return;
                }

                if (activity.InFlight != reported)
                {
                    reported = activity.InFlight;
                    Report(ContainerProcess.InFlight + reported.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The process is stopping.
        }
    }

    private static void Report(string status)
    {
        lock (Output)
        {
            Console.Out.WriteLine(ContainerProcess.StatusPrefix + status);
            Console.Out.Flush();
        }
    }

    // The host writes "stop"; the end of input means the host is gone, and a container must not outlive its host.
    private async Task WatchInputAsync(CancellationToken stoppingToken)
    {
        using var input = Console.OpenStandardInput();
        using var reader = new StreamReader(input);
        while (!stoppingToken.IsCancellationRequested)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (line is null || line.Trim() == ContainerProcess.Stop)
            {
                ProcessesLog.ChildPoolEnded(logger, demand.Queue, line is null ? "the host is gone" : "the host asked");
                lifetime.StopApplication();
                return;
            }
        }
    }

    private void OnBroken(string queue, bool isStuck)
    {
        if (isStuck)
        {
            // At once, on the breaking thread: the TimedOut outcome was recorded at the deadline, a grace ago, and the
            // input waiting for this container must not start on a replacement in this process.
            KillSelf(queue, "stuck (an attempt ran past its timeout and grace)");
            return;
        }

        // The cancelled attempt's outcome is being recorded: let it land (at most the grace), so the input is
        // acknowledged as Cancelled rather than delivered again.
        _ = Task.Run(async () =>
        {
            var before = pools.Activity().FirstOrDefault(a => a.Queue == queue)?.InFlight ?? 0;
            var deadline = time.GetUtcNow() + stuck.Grace;
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20), time);
            while (before > 0 && time.GetUtcNow() < deadline && (pools.Activity().FirstOrDefault(a => a.Queue == queue)?.InFlight ?? 0) >= before)
            {
                await timer.WaitForNextTickAsync(CancellationToken.None).ConfigureAwait(false);
            }

            KillSelf(queue, "terminated by a cancel");
        });
    }

    private void KillSelf(string queue, string reason)
    {
        ProcessesLog.ChildKillingItself(logger, queue, reason);
        Report(ContainerProcess.Killing + reason);
        using var self = Process.GetCurrentProcess();
        self.Kill();
    }
}
