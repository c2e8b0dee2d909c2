using Microsoft.Extensions.Configuration;
using Pipeline.Consumers.Discovery;

namespace Pipeline.Scheduler.Definitions;

/// <summary>A schedule while <see cref="ScheduleReader"/> reads it: each setting with where it was given, not yet validated.</summary>
internal sealed class ScheduleDraft(string name, string origin)
{
    public string Name { get; } = name;

    /// <summary>Where the schedule was first defined: the attribute or the configuration entry.</summary>
    public string Origin { get; } = origin;

    public required string Source { get; set; }

    public Callable? Callable { get; set; }

    public ScheduleField Function { get; set; }

    public ScheduleField App { get; set; }

    public ScheduleField Cron { get; set; }

    public ScheduleField Period { get; set; }

    public ScheduleField TimeZone { get; set; }

    public ScheduleField Start { get; set; }

    public ScheduleField Misfire { get; set; }

    public ScheduleField MisfireWindow { get; set; }

    public ScheduleField Overlap { get; set; }

    public IConfigurationSection? Args { get; set; }

    public string? ArgsWhere { get; set; }

    public bool Enabled { get; set; } = true;
}
