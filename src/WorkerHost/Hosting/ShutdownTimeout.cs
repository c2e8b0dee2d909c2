using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Pipeline.WorkerHost.Hosting;

/// <summary>
/// The host's shutdown timeout from the worker options in effect (code included): <c>ExitGracePeriod</c> + 15 s, so
/// in-flight inputs and every <c>exit</c> hook get their grace period. The host reads its options when it is built,
/// before the worker options are validated at start: so they are applied here without validating, and a bad grace
/// period (which the start then refuses, naming the key) leaves the default.
/// </summary>
internal sealed class ShutdownTimeout(IEnumerable<IConfigureOptions<WorkerOptions>> configures, IEnumerable<IPostConfigureOptions<WorkerOptions>> postConfigures) : IConfigureOptions<HostOptions>
{
    private static readonly TimeSpan AfterGrace = TimeSpan.FromSeconds(15);

    public void Configure(HostOptions options)
    {
        var worker = new WorkerOptions();
        foreach (var configure in configures)
        {
            if (configure is IConfigureNamedOptions<WorkerOptions> named)
            {
                named.Configure(Options.DefaultName, worker);
            }
            else
            {
                configure.Configure(worker);
            }
        }

        foreach (var postConfigure in postConfigures)
        {
            postConfigure.PostConfigure(Options.DefaultName, worker);
        }

        if (worker.ExitGracePeriod > TimeSpan.Zero)
        {
            options.ShutdownTimeout = worker.ExitGracePeriod + AfterGrace;
        }
    }
}
