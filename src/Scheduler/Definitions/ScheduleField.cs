namespace Pipeline.Scheduler.Definitions;

/// <summary>A setting's value and where it was given.</summary>
internal readonly record struct ScheduleField(string? Value, string? Where)
{
    public static ScheduleField None => default;

    public static ScheduleField Of(string? value, string where) => value is null ? None : new ScheduleField(value, where);

    public bool FromAttribute(string origin) => Where is not null && Where.StartsWith(origin, StringComparison.Ordinal) && origin.StartsWith('[');
}
