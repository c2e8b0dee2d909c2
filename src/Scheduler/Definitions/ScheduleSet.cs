using Pipeline.Messages.Naming;

namespace Pipeline.Scheduler.Definitions;

/// <summary>The schedules of this process, by normalized name.</summary>
internal sealed class ScheduleSet
{
    private readonly Dictionary<string, ScheduleDefinition> _byName;

    public ScheduleSet(IEnumerable<ScheduleDefinition> schedules)
    {
        All = schedules.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        _byName = All.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<ScheduleDefinition> All { get; }

    public ScheduleDefinition? Find(string name) => _byName.GetValueOrDefault(Names.Normalize(name));

    /// <summary>The schedule, or an <see cref="ArgumentException"/> that lists the known names.</summary>
    public ScheduleDefinition Get(string name) => Find(name) ?? throw new ArgumentException(
        $"No schedule named '{name}'. Known schedules: {(All.Count == 0 ? "none" : string.Join(", ", All.Select(s => s.Name)))}.", nameof(name));
}
