using System.Globalization;
using Npgsql;

namespace Pipeline.Bench.Measuring;

/// <summary>
/// What PostgreSQL spent on a measured stretch: the CPU of its local processes (every <c>postgres</c> process, read from
/// /proc; null when the server runs elsewhere) and the transactions committed in the database (<c>pg_stat_database</c>).
/// The server is shared with other engineers' test runs, so these include their work: compare within a run.
/// </summary>
internal readonly record struct PostgresMeter(TimeSpan? Cpu, long Commits)
{
    public static async Task<PostgresMeter> NowAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);

        // The statistics are sent by each backend when it goes idle, and read from a snapshot: clear it to see the latest.
        await using (var clear = new NpgsqlCommand("select pg_stat_clear_snapshot()", connection))
        {
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand("select xact_commit from pg_stat_database where datname = current_database()", connection);
        var commits = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new PostgresMeter(ServerCpu(), commits);
    }

    /// <summary>Per message since this reading: microseconds of PostgreSQL's CPU, and commits.</summary>
    public async Task<(double? CpuUs, double Commits)> PerMessageAsync(string connectionString, long messages, CancellationToken cancellationToken)
    {
        var now = await NowAsync(connectionString, cancellationToken);
        return (now.Cpu is { } b && Cpu is { } a ? (b - a).TotalMicroseconds / messages : null, (double)(now.Commits - Commits) / messages);
    }

    private static TimeSpan? ServerCpu()
    {
        if (!Directory.Exists("/proc"))
        {
            return null;
        }

        long ticks = 0;
        var found = false;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out _)
                    || File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "postgres")
                {
                    continue;
                }

                // utime and stime, the 12th and 13th fields after the command name, in clock ticks; with the children's
                // (cutime, cstime) so that backends that ended during the stretch still count through the postmaster.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                    + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
                found = true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile.
            }
        }

        return found ? TimeSpan.FromMilliseconds(ticks * 10.0) : null;
    }
}
