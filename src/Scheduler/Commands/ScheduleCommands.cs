using System.Globalization;

namespace Pipeline.Scheduler.Commands;

/// <summary>
/// The operator verbs of the scheduler executable: <c>list [--from &lt;instant&gt;]</c> (each schedule with its next five fire times after now or the instant, in its own
/// time zone and in UTC) and <c>trigger &lt;name&gt;</c> (fire one now, through the store). Exit codes: 0 done, 1 failed,
/// 2 wrong usage.
/// </summary>
internal static class ScheduleCommands
{
    public static async Task<int> RunAsync(CommandLine command, ScheduleBook book, TextWriter output, CancellationToken cancellationToken)
    {
        var (verb, argument, from, _) = command;
        try
        {
            switch (verb)
            {
                case "list":
                    await ListAsync(book, from, output, cancellationToken);
                    return 0;
                case "trigger" when argument is not null:
                    var key = await book.TriggerAsync(argument, cancellationToken);
                    await output.WriteLineAsync($"Triggered {book.Get(argument).Name}: a one-off fire is in the schedule store; a running scheduler fires it within its poll interval, as call key {key}.");
                    return 0;
                default:
                    await output.WriteLineAsync(CommandLine.Usage);
                    return verb is "help" or "--help" or "-h" ? 0 : 2;
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            await output.WriteLineAsync(e.Message);
            return 1;
        }
    }

    private static async Task ListAsync(ScheduleBook book, DateTimeOffset? from, TextWriter output, CancellationToken cancellationToken)
    {
        if (book.Schedules.Count == 0)
        {
            await output.WriteLineAsync("No schedules. Define them with [Schedule] on a function or under Pipeline:Scheduler:Schedules.");
            return;
        }

        foreach (var schedule in book.Schedules)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone);
            var policies = schedule.Misfire == ScheduleMisfire.RunOnce
                ? string.Create(CultureInfo.InvariantCulture, $"misfire RunOnce within {schedule.MisfireWindow:c}")
                : "misfire Skip";
            await output.WriteLineAsync(
                $"{schedule.Name}  ->  {schedule.Target}{(schedule.Arguments == "[]" ? "" : " " + schedule.Arguments)}  {schedule.Kind} \"{schedule.Expression}\"  {schedule.TimeZone}  ({policies}, overlap {schedule.Overlap}; from {schedule.Source})");
            foreach (var time in await (from is { } instant ? book.NextFireTimesAsync(schedule.Name, 5, instant, cancellationToken) : book.NextFireTimesAsync(schedule.Name, 5, cancellationToken)))
            {
                var local = TimeZoneInfo.ConvertTime(time, zone);
                await output.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"    {local:yyyy-MM-dd ddd HH:mm:ss zzz} {schedule.TimeZone,-20} {time.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC"));
            }
        }
    }
}
