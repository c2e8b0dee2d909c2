using NCrontab;

namespace Pipeline.Scheduler.Tests.Firing;

/// <summary>
/// What the scheduler fires (the trigger it stores and moves on after each fire, in UTC) against NCrontab over all of 2026. NCrontab ANDs
/// the two day fields and refuses 7, so the reference for an expression restricting both day fields is the union of
/// NCrontab's occurrences for the day-of-month-only and the day-of-week-only forms, with 7 written as 0.
/// </summary>
public sealed class CronDifferentialTests
{
    private static readonly DateTime From = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime To = new(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // The expression as users write it, and the same in NCrontab's dialect (7 as 0, a macro expanded) where it differs.
    public static TheoryData<string, string?> Corpus => new()
    {
        { "0 0 * * *", null },
        { "30 4 * * *", null },
        { "*/15 * * * *", null },
        { "5-10 * * * *", null },
        { "10,20,45 * * * *", null },
        { "0 */2 * * *", null },
        { "0 0-23/6 * * *", null },
        { "0 9-17 * * MON-FRI", null },
        { "*/30 9-17 * * 1-5", null },
        { "15 14 1 * *", null },
        { "0 0 1,15 * *", null },
        { "0 8 10-20/5 * *", null },
        { "0 6 28-31 * *", null },
        { "0 0 31 * *", null },
        { "59 23 31 12 *", null },
        { "0 12 * JAN,JUL *", null },
        { "0 12 1 jan *", null },
        { "0 0 1 */3 *", null },
        { "0 0 5 2-10/4 *", null },
        { "0 0 * 2-4 SUN", null },
        { "45 23 * * 6", null },
        { "0 12 * * MON,WED,FRI", null },
        { "0 0 * * 0", null },
        { "0 0 * * 7", "0 0 * * 0" },
        { "0 0 * * 5-7", "0 0 * * 0,5,6" },
        { "0 18 * * 1-7/2", "0 18 * * 0,1,3,5" },
        { "@monthly", "0 0 1 1-12 *" },
        { "@weekly", "0 0 * * 0" },
        { "@hourly", "0 * * * *" },
        { "0 0 13 * 5", null },
        { "0 0 13 * FRI", null },
        { "0 0 1-7 * 1", null },
        { "0 0 */2 * 1", null },
        { "0 0 1,15 * 1-5", null },
        { "0 0 15 * SAT,SUN", null },
        { "0 0 1-10/3 * 2,4", null },
        { "1 1 1 1 7", "1 1 1 1 0" },
        { "30 2 29 2 *", null },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task FireTimes_OverAYearInUtc_MatchNCrontabWithTheUnixDayRule(string expression, string? ncrontab)
    {
        var expected = Reference(ncrontab ?? expression);
        var driver = new FireDriver(Schedules.Cron(expression), new DateTimeOffset(From.AddTicks(-1), TimeSpan.Zero));

        await driver.RunUntilAsync(new DateTimeOffset(To.AddTicks(-1), TimeSpan.Zero));
        var actual = driver.Fired.Select(t => t.UtcDateTime).ToList();

        var firstDifference = Enumerable.Range(0, Math.Min(expected.Count, actual.Count)).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.True(
            firstDifference < 0 && expected.Count == actual.Count,
            $"{expression}: {actual.Count} fires, reference {expected.Count}; first difference at #{firstDifference}: " +
            (firstDifference < 0 ? "(lengths)" : $"fired {actual[firstDifference]:O}, reference {expected[firstDifference]:O}"));
        if (expression != "30 2 29 2 *")
        {
            Assert.NotEmpty(actual);
        }
    }

    private static List<DateTime> Reference(string expression)
    {
        var fields = expression.Split(' ');
        var forms = fields[2] != "*" && fields[4] != "*"
            ? [string.Join(' ', fields[0], fields[1], fields[2], fields[3], "*"), string.Join(' ', fields[0], fields[1], "*", fields[3], fields[4])]
            : new[] { expression };
        return forms.SelectMany(f => CrontabSchedule.Parse(f).GetNextOccurrences(From.AddTicks(-1), To)).Distinct().Order().ToList();
    }
}
