using Microsoft.Extensions.Options;
using Pipeline.Scheduler.Store;
using Quartz;

namespace Pipeline.Scheduler.Hosting;

/// <summary>
/// Gives Quartz's own options the scheduler's settings in effect when Quartz is built: the <see cref="SchedulerOptions"/>
/// bound from configuration, changed from code (<c>services.Configure&lt;SchedulerOptions&gt;(...)</c>) and validated
/// (a bad value stops start-up before Quartz reads it). Registered after <c>AddQuartz</c>, so it has the last word.
/// </summary>
internal sealed class QuartzSettings(IOptions<SchedulerOptions> settings) :
    IConfigureOptions<QuartzSchedulerOptions>,
    IConfigureOptions<InMemoryJobStoreOptions>,
    IConfigureOptions<AdoJobStoreOptions>,
    IConfigureOptions<ClusteringOptions>
{
    public void Configure(QuartzSchedulerOptions options)
    {
        var scheduler = settings.Value;
        options.InstanceName = scheduler.ClusterName;
        options.InstanceId = scheduler.InstanceId is { Length: > 0 } id
            ? id
            : $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        options.IdleWaitTime = scheduler.PollInterval;
    }

    public void Configure(InMemoryJobStoreOptions options) => options.MisfireThreshold = settings.Value.MisfireThreshold;

    public void Configure(AdoJobStoreOptions options)
    {
        // Job data is kept as name/value text: nothing read back from the store is deserialized into a type.
        options.StoreJobDataAsStrings = true;
        options.TablePrefix = StoreSchema.TablePrefix(settings.Value);
        options.MisfireThreshold = settings.Value.MisfireThreshold;
    }

    public void Configure(ClusteringOptions options)
    {
        options.CheckinInterval = settings.Value.CheckinInterval;
        options.CheckinMisfireThreshold = settings.Value.CheckinInterval;
    }
}
