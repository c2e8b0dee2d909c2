using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Cli.Tests.Infrastructure;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.Cli.Tests.Schedules;

[Collection(CliGroup.Name)]
public sealed class ScheduleCommandTests(CliFixture cli)
{
    [Fact]
    public async Task Schedules_Json_ListsEachWithItsNextFireTimes()
    {
        var run = await cli.RunAsync("schedules", "--json", "--next", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        var schedule = JsonDocument.Parse(run.Output).RootElement.EnumerateArray().Single();
        Assert.Equal("nightly", schedule.GetProperty("name").GetString());
        Assert.Equal("cliapp.nightly", schedule.GetProperty("target").GetString());
        Assert.Equal("0 3 * * *", schedule.GetProperty("expression").GetString());
        Assert.Equal("Europe/Berlin", schedule.GetProperty("timeZone").GetString());
        var next = schedule.GetProperty("nextFireTimes").EnumerateArray().Select(t => t.GetDateTimeOffset()).ToList();
        Assert.Equal(2, next.Count);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        Assert.All(next, t => Assert.Equal(new TimeSpan(3, 0, 0), TimeZoneInfo.ConvertTime(t, berlin).TimeOfDay));
        Assert.True(next[0] > DateTimeOffset.UtcNow && next[1] > next[0]);
    }

    [Fact]
    public async Task Schedules_Text_IsATable()
    {
        var run = await cli.RunAsync("schedules");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"SCHEDULE\s+.*TARGET\s+.*WHEN\s+.*NEXT \(UTC\)", run.Output);
        Assert.Matches(@"nightly\s+.*cliapp\.nightly\s+.*cron 0 3 \* \* \* \(Europe/Berlin\)", run.Output);
    }

    [Fact]
    public async Task Trigger_UnknownSchedule_ExitsOneListingTheKnownOnes()
    {
        var run = await cli.RunAsync("schedules", "trigger", "weekly");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nightly", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trigger_WithTheSchedulerServiceRunning_FiresTheFunctionOnce()
    {
        using var scheduler = StartScheduler(out var log);
        try
        {
            await TriggerAndCheckAsync(log);
        }
        finally
        {
            scheduler.Kill(entireProcessTree: true);
            await scheduler.WaitForExitAsync();
        }
    }

    private async Task TriggerAndCheckAsync(System.Collections.Concurrent.ConcurrentQueue<string> log)
    {
        await Eventually.TrueAsync(() => log.Any(l => l.Contains("1 schedule(s): nightly", StringComparison.Ordinal)), TimeSpan.FromSeconds(60), "the scheduler service started with its schedule");

        var run = await cli.RunAsync("schedules", "trigger", "nightly");

        Assert.True(run.ExitCode == 0, run.ToString());
        var key = Regex.Match(run.Output, @"idempotency key is (nightly:manual-\S+)$", RegexOptions.Multiline).Groups[1].Value;
        Assert.NotEmpty(key);
        string? fired = null;
        await Eventually.TrueAsync(
            () => (fired = log.FirstOrDefault(l => l.Contains($"key {key}", StringComparison.Ordinal))) is not null,
            TimeSpan.FromSeconds(30),
            "the scheduler fired the triggered occurrence");
        var callId = Regex.Match(fired!, @"as call (fc-[0-9a-f]{32})").Groups[1].Value;
        var get = await cli.RunAsync("get", callId, "--timeout", "30");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("nightly done", get.Output.Trim());
    }

    private Process StartScheduler(out System.Collections.Concurrent.ConcurrentQueue<string> log)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(RepoPaths.Root, "src", "Scheduler", "bin", RepoPaths.Configuration, "net10.0", "Pipeline.Scheduler.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in cli.Environment())
        {
            info.Environment[key] = value;
        }

        info.Environment["Pipeline__Scheduler__Apps__0"] = CliFixture.App;
        info.Environment["Pipeline__Scheduler__PollInterval"] = "00:00:01";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log = lines;
        return process;

        void Add(string? line)
        {
            if (line is not null)
            {
                lines.Enqueue(line);
            }
        }
    }
}
