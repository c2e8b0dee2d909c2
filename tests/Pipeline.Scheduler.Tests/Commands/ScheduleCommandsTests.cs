using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Scheduler.Definitions;
using Pipeline.Scheduler.Firing;
using Pipeline.Scheduler.Commands;
using Pipeline.Scheduler.Tests.Firing;

namespace Pipeline.Scheduler.Tests.Commands;

public sealed class ScheduleCommandsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
    private ServiceProvider _services = null!;

    private ScheduleBook Book => _services.GetRequiredService<ScheduleBook>();

    public Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<IScheduleDispatcher>(new FakeDispatcher());
        services.AddScheduleRuntime(
            new SchedulerOptions { InMemory = true },
            new ScheduleSet([Schedules.Cron("0 3 * * *", "Europe/Berlin", name: "nightly-report"), Schedules.Period("15m", name: "poll", misfire: ScheduleMisfire.RunOnce)]));
        _services = services.BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        var code = await ScheduleCommands.RunAsync(CommandLine.Parse(args), Book, output, CancellationToken.None);
        return (code, output.ToString());
    }

    [Fact]
    public async Task List_ShowsEachScheduleWithItsNextFiveFireTimesInItsZoneAndUtc()
    {
        var (code, output) = await RunAsync("list");

        Assert.Equal(0, code);
        var lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, lines.Length);
        Assert.Equal("nightly-report  ->  sched.cleanup  cron \"0 3 * * *\"  Europe/Berlin  (misfire Skip, overlap Allow; from test)", lines[0]);
        Assert.Equal("    2026-11-23 Mon 03:00:00 +01:00 Europe/Berlin        2026-11-23 02:00:00 UTC", lines[1]);
        Assert.Equal("    2026-11-27 Fri 03:00:00 +01:00 Europe/Berlin        2026-11-27 02:00:00 UTC", lines[5]);
        Assert.Equal("poll  ->  sched.cleanup  period \"15m\"  UTC  (misfire RunOnce within 01:00:00, overlap Allow; from test)", lines[6]);
        Assert.Equal("    2026-11-22 Sun 10:15:00 +00:00 UTC                  2026-11-22 10:15:00 UTC", lines[7]);
    }

    [Fact]
    public async Task Trigger_UnknownSchedule_ListsTheKnownOnesAndFails()
    {
        var (code, output) = await RunAsync("trigger", "nightly");

        Assert.Equal(1, code);
        Assert.Contains("No schedule named 'nightly'. Known schedules: nightly-report, poll.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trigger_WithoutName_PrintsUsage()
    {
        var (code, output) = await RunAsync("trigger");

        Assert.Equal(2, code);
        Assert.StartsWith("Usage: Pipeline.Scheduler", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "list", "--Pipeline:Scheduler:Schema=x" }, "list", null, 1)]
    [InlineData(new[] { "trigger", "nightly", "--Pipeline:Scheduler:Schema=x" }, "trigger", "nightly", 1)]
    [InlineData(new[] { "--Pipeline:Scheduler:Schema=x" }, null, null, 1)]
    [InlineData(new string[0], null, null, 0)]
    [InlineData(new[] { "list", "--from", "2026-10-25T00:00:00+02:00", "--Pipeline:Scheduler:Schema=x" }, "list", null, 1)]
    [InlineData(new[] { "list", "--from=2026-10-24T22:00:00Z" }, "list", null, 0)]
    public void Parse_SeparatesVerbAndOptionsFromSettings(string[] args, string? verb, string? argument, int settings)
    {
        var line = CommandLine.Parse(args);

        Assert.Equal((verb, argument, settings), (line.Verb, line.Argument, line.Settings.Length));
    }

    [Fact]
    public async Task List_From_ComputesTheNextFiresFromThatInstant()
    {
        var (code, output) = await RunAsync("list", "--from", "2026-10-25T01:00:00+02:00");

        Assert.Equal(0, code);
        var lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("    2026-10-25 Sun 03:00:00 +01:00 Europe/Berlin        2026-10-25 02:00:00 UTC", lines[1]);
        Assert.Equal("    2026-10-24 Sat 23:15:00 +00:00 UTC                  2026-10-24 23:15:00 UTC", lines[7]);
    }

    [Theory]
    [InlineData("2026-10-25")]
    [InlineData("2026-10-25T00:00:00")]
    [InlineData("yesterday")]
    [InlineData("--Pipeline:Scheduler:Schema=x")]
    public void Parse_FromWithoutAnInstantWithOffset_SaysHowToWriteIt(string text)
    {
        var e = Assert.Throws<FormatException>(() => CommandLine.Parse(["list", "--from", text]));

        Assert.Contains("ISO-8601 with an offset", e.Message, StringComparison.Ordinal);
        Assert.Contains("2026-10-24T22:00:00Z", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Invalid_NameEachKey()
    {
        var problems = new SchedulerOptions
        {
            ConnectionString = "Host=x;Nonsense",
            Schema = "1bad",
            ClusterName = "",
            MisfireThreshold = TimeSpan.Zero,
            CheckinInterval = TimeSpan.FromHours(1),
            PollInterval = TimeSpan.FromMilliseconds(10),
        }.Validate();

        Assert.Equal(6, problems.Count);
        Assert.All(problems, p => Assert.StartsWith("Pipeline:Scheduler:", p, StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("Nonsense", StringComparison.Ordinal));
    }
}
