using System.Diagnostics;

namespace Pipeline.Bench.Measuring;

/// <summary>
/// Another process that keeps one core busy (a shell spinning in a loop) for as long as this object lives: what a
/// shared GPU host looks like to the worker (issue 18, item 3). Killed, with its children, on dispose.
/// </summary>
internal sealed class BusyCore : IDisposable
{
    private readonly Process _process;

    private BusyCore(Process process) => _process = process;

    /// <summary>Starts the spinning process; null where there is no <c>sh</c> (the variant is then left out).</summary>
    public static BusyCore? TryStart()
    {
        try
        {
            var process = Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]) { UseShellExecute = false });
            return process is null ? null : new BusyCore(process);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
