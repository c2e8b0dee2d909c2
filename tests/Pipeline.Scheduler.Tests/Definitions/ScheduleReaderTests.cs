using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Pipeline.Scheduler.Definitions;

namespace Pipeline.Scheduler.Tests.Definitions;

public sealed class ScheduleReaderTests
{
    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    private static ScheduleSet Read(IConfiguration? configuration, params Type[] types) => ScheduleReader.Read(Apps.Registry(types), configuration);

    private static string Problem(IConfiguration? configuration, params Type[] types)
    {
        var e = Assert.Throws<ScheduleDefinitionException>(() => Read(configuration, types));
        return Assert.Single(e.Problems);
    }

    private const string S = "Pipeline:Scheduler:Schedules";

    [Fact]
    public void Read_Attribute_DefinesScheduleNamedAfterFunction()
    {
        var schedule = Assert.Single(Read(null, typeof(Reports)).All);

        Assert.Equal("nightly-report", schedule.Name);
        Assert.Equal("sched.nightly-report", schedule.Target);
        Assert.Equal("0 3 * * *", Assert.IsType<CronTiming>(schedule.Timing).Fields);
        Assert.Equal("Europe/Berlin", schedule.TimeZone.Id);
        Assert.Equal(ScheduleMisfire.Skip, schedule.Misfire);
        Assert.Equal(ScheduleOverlap.Allow, schedule.Overlap);
        Assert.Equal("[]", schedule.Args.GetRawText());
        Assert.Equal("attribute", schedule.Source);
    }

    [Fact]
    public void Read_AttributePolicies_AreKept()
    {
        var schedule = Assert.Single(Read(null, typeof(Hourly)).All);

        Assert.Equal("hourly-ping", schedule.Name);
        Assert.Equal(new PeriodTiming("1h", 1, PeriodUnit.Hour, null), schedule.Timing);
        Assert.Equal(TimeZoneInfo.Utc, schedule.TimeZone);
        Assert.Equal(ScheduleMisfire.RunOnce, schedule.Misfire);
        Assert.Equal(TimeSpan.FromMinutes(30), schedule.MisfireWindow);
        Assert.Equal(ScheduleOverlap.Skip, schedule.Overlap);
    }

    [Fact]
    public void Read_Configuration_DefinesScheduleWithArgumentsAndPolicies()
    {
        var schedule = Assert.Single(Read(
            Config(
                ($"{S}:WeeklyDigest:Function", "sched.weekly"),
                ($"{S}:WeeklyDigest:Cron", "30 6 * * MON"),
                ($"{S}:WeeklyDigest:TimeZone", "America/New_York"),
                ($"{S}:WeeklyDigest:Args", "[\"digest\", 3]"),
                ($"{S}:WeeklyDigest:Misfire", "runonce"),
                ($"{S}:WeeklyDigest:MisfireWindow", "02:00:00"),
                ($"{S}:WeeklyDigest:Overlap", "Skip")),
            typeof(Reports)).All, s => s.Source == "configuration");

        Assert.Equal("weekly-digest", schedule.Name);
        Assert.Equal("sched.weekly", schedule.Target);
        Assert.Equal("America/New_York", schedule.TimeZone.Id);
        Assert.Equal("[\"digest\",3]", JsonSerializer.Serialize(schedule.Args));
        Assert.Equal(ScheduleMisfire.RunOnce, schedule.Misfire);
        Assert.Equal(TimeSpan.FromHours(2), schedule.MisfireWindow);
        Assert.Equal(ScheduleOverlap.Skip, schedule.Overlap);
    }

    [Fact]
    public void Read_ConfigurationArgsArray_ReadsNumbersAndBooleansAsJson()
    {
        var schedule = Read(
            Config(($"{S}:w:Function", "sched.weekly"), ($"{S}:w:Period", "1d"), ($"{S}:w:Args:0", "digest"), ($"{S}:w:Args:1", "3")),
            typeof(Reports)).Get("w");

        Assert.Equal("[\"digest\",3]", JsonSerializer.Serialize(schedule.Args));
    }

    [Fact]
    public void Read_FunctionWithoutApp_UsesTheOnlyApp()
    {
        var schedule = Read(Config(($"{S}:c:Function", "cleanup"), ($"{S}:c:Period", "15m")), typeof(Reports)).Get("c");

        Assert.Equal("sched.cleanup", schedule.Target);
    }

    [Fact]
    public void Read_ConfigurationWithAttributeName_OverridesFieldByField()
    {
        var schedule = Assert.Single(Read(
            Config(($"{S}:NightlyReport:Cron", "0 4 * * *"), ($"{S}:NightlyReport:Overlap", "Skip")),
            typeof(Reports)).All);

        Assert.Equal("0 4 * * *", Assert.IsType<CronTiming>(schedule.Timing).Fields);
        Assert.Equal("Europe/Berlin", schedule.TimeZone.Id);
        Assert.Equal(ScheduleOverlap.Skip, schedule.Overlap);
        Assert.Equal("sched.nightly-report", schedule.Target);
        Assert.Equal("attribute, overridden by configuration", schedule.Source);
    }

    [Fact]
    public void Read_ConfigurationPeriodOverAttributeCron_ReplacesIt()
    {
        var schedule = Assert.Single(Read(Config(($"{S}:nightly-report:Period", "2h")), typeof(Reports)).All);

        Assert.Equal(new PeriodTiming("2h", 2, PeriodUnit.Hour, null), schedule.Timing);
    }

    [Fact]
    public void Read_EnabledFalse_SwitchesAttributeScheduleOff()
    {
        Assert.Empty(Read(Config(($"{S}:nightly-report:Enabled", "false")), typeof(Reports)).All);
    }

    [Fact]
    public void Read_PeriodStartWithoutOffset_IsReadInTheTimeZone()
    {
        var schedule = Read(
            Config(($"{S}:c:Function", "sched.cleanup"), ($"{S}:c:Period", "1d"), ($"{S}:c:TimeZone", "Europe/Berlin"), ($"{S}:c:Start", "2026-07-01T03:00")),
            typeof(Reports)).Get("c");

        Assert.Equal(new DateTimeOffset(2026, 7, 1, 3, 0, 0, TimeSpan.FromHours(2)), Assert.IsType<PeriodTiming>(schedule.Timing).Start);
    }

    [Fact]
    public void Read_MacroAndSundaySeven_AreAccepted()
    {
        var set = Read(
            Config(($"{S}:a:Function", "sched.cleanup"), ($"{S}:a:Cron", "@daily"), ($"{S}:b:Function", "sched.cleanup"), ($"{S}:b:Cron", "0 9 * * 5-7")),
            typeof(Reports));

        Assert.Equal("0 0 * * *", Assert.IsType<CronTiming>(set.Get("a").Timing).Fields);
        Assert.Equal("0 9 * * 5-7", Assert.IsType<CronTiming>(set.Get("b").Timing).Fields);
    }

    [Theory]
    [InlineData("Cron", "0 25 * * *", "Pipeline:Scheduler:Schedules:x:Cron", "25 is higher than the maximum allowable value for the [Hour] field")]
    [InlineData("Cron", "0 3 * *", "Pipeline:Scheduler:Schedules:x:Cron", "has 4 field(s)")]
    [InlineData("Cron", "0 0 3 * * *", "Pipeline:Scheduler:Schedules:x:Cron", "Seconds are not part of Unix cron")]
    [InlineData("Cron", "0 0 L * *", "Pipeline:Scheduler:Schedules:x:Cron", "'L' is not a valid [Day] crontab field expression")]
    [InlineData("Cron", "0 0 ? * 1", "Pipeline:Scheduler:Schedules:x:Cron", "'?' is not a valid [Day]")]
    [InlineData("Cron", "0 0 * * 8", "Pipeline:Scheduler:Schedules:x:Cron", "not a valid cron expression")]
    [InlineData("Cron", "@sometimes", "Pipeline:Scheduler:Schedules:x:Cron", "is not a known macro")]
    [InlineData("Cron", " ", "Pipeline:Scheduler:Schedules:x:Cron", "is empty")]
    [InlineData("Period", "1h30m", "Pipeline:Scheduler:Schedules:x:Period", "\"1h30m\" is \"90m\"")]
    [InlineData("Period", "1 fortnight", "Pipeline:Scheduler:Schedules:x:Period", "unknown unit 'fortnight'")]
    [InlineData("Period", "0s", "Pipeline:Scheduler:Schedules:x:Period", "must count 1 to 10000 seconds")]
    [InlineData("Period", "soon", "Pipeline:Scheduler:Schedules:x:Period", "is not a period")]
    public void Read_BadTiming_NamesScheduleFieldAndProblem(string field, string value, string where, string what)
    {
        var problem = Problem(Config(($"{S}:x:Function", "sched.cleanup"), ($"{S}:x:{field}", value)), typeof(Reports));

        Assert.StartsWith($"Schedule 'x' ({where}): ", problem, StringComparison.Ordinal);
        Assert.Contains(what, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TimeZone", "Europe/Berln", "is not a known IANA time zone")]
    [InlineData("Start", "yesterday-ish", "is not a date and time")]
    [InlineData("Start", "2026-03-29T02:30", "does not exist in Europe/Berlin")]
    [InlineData("Misfire", "Later", "Use Skip or RunOnce")]
    [InlineData("Misfire", "1", "Use Skip or RunOnce")]
    [InlineData("Overlap", "Queue", "Use Allow or Skip")]
    [InlineData("MisfireWindow", "an hour", "Use a TimeSpan")]
    [InlineData("Enabled", "yes", "use true or false")]
    [InlineData("Args", "{\"a\": 1}", "must be a JSON array")]
    [InlineData("Args", "[1, 2", "is not JSON")]
    [InlineData("Args", "[\"seven\"]", "Make Args match the function's arguments")]
    [InlineData("Crom", "0 3 * * *", "is not a schedule setting")]
    public void Read_BadSetting_NamesScheduleFieldAndProblem(string field, string value, string what)
    {
        var zone = field == "TimeZone" ? [] : new[] { ($"{S}:x:TimeZone", "Europe/Berlin") };
        var problem = Problem(
            Config([($"{S}:x:Function", "sched.cleanup"), ($"{S}:x:Period", "1d"), .. zone, ($"{S}:x:{field}", value)]),
            typeof(Reports));

        Assert.StartsWith($"Schedule 'x' ({S}:x:{field}): ", problem, StringComparison.Ordinal);
        Assert.Contains(what, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MisfireWindowWithSkip_SaysToUseRunOnce()
    {
        var problem = Problem(Config(($"{S}:x:Function", "sched.cleanup"), ($"{S}:x:Period", "1d"), ($"{S}:x:MisfireWindow", "01:00:00")), typeof(Reports));

        Assert.Contains($"({S}:x:MisfireWindow): is set but Misfire is Skip", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sched.nope", "App 'sched' has no function named 'nope'. Known functions: cleanup, nightly-report, weekly.")]
    [InlineData("other.cleanup", "No app named 'other' is registered here. Known apps: sched.")]
    [InlineData("sched.model.refresh", "Schedules run functions only, not class methods")]
    [InlineData("", "names no function")]
    public void Read_UnknownFunction_NamesItAndTheKnownOnes(string function, string what)
    {
        var problem = Problem(Config(($"{S}:x:Function", function), ($"{S}:x:Cron", "0 3 * * *")), typeof(Reports));

        Assert.StartsWith($"Schedule 'x' ({S}:x:Function): ", problem, StringComparison.Ordinal);
        Assert.Contains(what, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NoFunctionSetting_SaysToSetFunction()
    {
        var problem = Problem(Config(($"{S}:x:Cron", "0 3 * * *")), typeof(Reports));

        Assert.Equal($"Schedule 'x' ({S}:x:Function): names no function. Set Function to \"app.function\" (for example \"reports.nightly-report\").", problem);
    }

    [Fact]
    public void Read_FunctionWithRequiredArgumentsAndNoArgs_SaysItMustBeCallableWithNoArguments()
    {
        var problem = Problem(Config(($"{S}:x:Function", "sched.weekly"), ($"{S}:x:Period", "1d")), typeof(Reports));

        Assert.Contains("A scheduled function must be callable with no arguments", problem, StringComparison.Ordinal);
        Assert.Contains("title", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CronAndPeriod_SaysToKeepOne()
    {
        var problem = Problem(Config(($"{S}:x:Function", "sched.cleanup"), ($"{S}:x:Cron", "0 3 * * *"), ($"{S}:x:Period", "1d")), typeof(Reports));

        Assert.Equal($"Schedule 'x' ({S}:x:Cron and {S}:x:Period): are both set. A schedule has either a Cron or a Period; remove one.", problem);
    }

    [Fact]
    public void Read_NeitherCronNorPeriod_SaysToSetOne()
    {
        var problem = Problem(Config(($"{S}:x:Function", "sched.cleanup")), typeof(Reports));

        Assert.Contains($"Schedule 'x' ({S}:x): has neither Cron nor Period", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_StartOnCron_SaysStartIsForPeriods()
    {
        var problem = Problem(Config(($"{S}:x:Function", "sched.cleanup"), ($"{S}:x:Cron", "0 3 * * *"), ($"{S}:x:Start", "2026-01-01T00:00")), typeof(Reports));

        Assert.StartsWith($"Schedule 'x' ({S}:x:Start): is set on a Cron schedule", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TwoConfigurationNamesForOneSchedule_AreRefused()
    {
        var problem = Problem(
            Config(($"{S}:NightlyJob:Function", "sched.cleanup"), ($"{S}:NightlyJob:Period", "1d"), ($"{S}:nightly-job:Function", "sched.cleanup"), ($"{S}:nightly-job:Period", "1d")),
            typeof(Reports));

        Assert.Contains("names the same schedule as", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ScheduleWithoutLettersInName_IsRefused()
    {
        var problem = Problem(Config(($"{S}:---:Function", "sched.cleanup"), ($"{S}:---:Period", "1d")), typeof(Reports));

        Assert.Contains("has no letters or digits in its name", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ScheduleOnClassMethod_SaysFunctionsOnly()
    {
        var problem = Problem(null, typeof(Model));

        Assert.Equal("Schedule 'refresh' ([Schedule] on sched.model.refresh): is on a class method; schedules run functions only (as in Modal, a schedule takes no class parameters). Move it to a static [Function].", problem);
    }

    [Fact]
    public void Read_BadAttributes_ReportsEveryProblemAtOnce()
    {
        var e = Assert.Throws<ScheduleDefinitionException>(() => Read(null, typeof(BadAttributes)));

        Assert.Equal(4, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.StartsWith("Schedule 'bad-cron' ([Schedule] on sched.bad-cron, Cron): \"0 25 * * *\" is not a valid cron expression", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Schedule 'bad-zone' ([Schedule] on sched.bad-zone, TimeZone): \"Mars/Olympus\" is not a known IANA time zone", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Schedule 'no-timing' ([Schedule] on sched.no-timing): has neither Cron nor Period", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Schedule 'needs-arguments' ([Schedule] on sched.needs-arguments):", StringComparison.Ordinal) &&
            p.Contains("A scheduled function must be callable with no arguments", StringComparison.Ordinal));
        Assert.StartsWith("The schedules have 4 problems:", e.Message, StringComparison.Ordinal);
    }
}
