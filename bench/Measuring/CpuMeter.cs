using System.Globalization;

namespace Pipeline.Bench.Measuring;

/// <summary>
/// CPU time of this process (client, host and baselines all live here) and of the local broker (<c>beam.smp</c>,
/// read from /proc; absent when the broker runs elsewhere), so a throughput figure comes with what it cost.
/// </summary>
internal readonly record struct CpuMeter(TimeSpan Process, TimeSpan? Broker)
{
    private static readonly Lazy<int?> BrokerPid = new(FindBroker);

    public static CpuMeter Now()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new(process.TotalProcessorTime, BrokerCpu());
    }

    /// <summary>Microseconds of CPU per message since <paramref name="start"/>: (this process, the broker).</summary>
    public static (double Process, double? Broker) PerMessage(CpuMeter start, long messages)
    {
        var now = Now();
        return ((now.Process - start.Process).TotalMicroseconds / messages,
            now.Broker is { } b && start.Broker is { } a ? (b - a).TotalMicroseconds / messages : null);
    }

    private static TimeSpan? BrokerCpu()
    {
        if (BrokerPid.Value is not { } pid)
        {
            return null;
        }

        try
        {
            // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10.0);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int? FindBroker()
    {
        if (!Directory.Exists("/proc"))
        {
            return null;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid)
                && File.Exists(Path.Combine(dir, "comm"))
                && File.ReadAllText(Path.Combine(dir, "comm")).Trim() == "beam.smp")
            {
                return pid;
            }
        }

        return null;
    }
}
