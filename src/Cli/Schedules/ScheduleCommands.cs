using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Cli.Hosting;
using Pipeline.Results;
using Pipeline.Scheduler;
using Spectre.Console;

namespace Pipeline.Cli.Schedules;

/// <summary>
/// <c>pipeline schedules</c> (each schedule with its next fire times) and <c>pipeline schedules trigger &lt;name&gt;</c>,
/// through the scheduler's own <see cref="ScheduleBook"/>: the same schedule store in PostgreSQL the scheduler service uses.
/// </summary>
internal static class ScheduleCommands
{
    public static Command Create(GlobalOptions global)
    {
        var count = new Option<int>("--next") { Description = "How many next fire times to show per schedule, 1 to 100. Default: 3.", DefaultValueFactory = _ => 3, HelpName = "n" };
        var command = new Command("schedules", "List the apps' schedules with their next fire times; 'trigger <name>' fires one now.") { count };
        command.SetAction((result, cancellationToken) => CliCommands.RunAsync(global, result, async (output, settings) =>
        {
            var next = result.GetValue(count);
            if (next is < 1 or > 100)
            {
                throw new CliException("--next must be from 1 to 100", ExitCodes.Usage);
            }

            var services = await OpenAsync(settings, cancellationToken);
            await using (services)
            {
                var book = services.GetRequiredService<ScheduleBook>();
                var schedules = new List<(ScheduleInfo Schedule, IReadOnlyList<DateTimeOffset> Next)>();
                foreach (var schedule in book.Schedules)
                {
                    schedules.Add((schedule, await book.NextFireTimesAsync(schedule.Name, next, cancellationToken)));
                }

                if (output.Json)
                {
                    output.WriteJson(schedules.Select(s => new
                    {
                        s.Schedule.Name,
                        s.Schedule.Target,
                        s.Schedule.Kind,
                        s.Schedule.Expression,
                        s.Schedule.TimeZone,
                        Misfire = s.Schedule.Misfire.ToString(),
                        Overlap = s.Schedule.Overlap.ToString(),
                        s.Schedule.Arguments,
                        s.Schedule.Source,
                        NextFireTimes = s.Next,
                    }).ToList());
                }
                else
                {
                    Print(output, schedules);
                }

                return ExitCodes.Ok;
            }
        }));
        command.Subcommands.Add(Trigger(global));
        return command;
    }

    private static Command Trigger(GlobalOptions global)
    {
        var name = new Argument<string>("name") { Description = "The schedule's name (pipeline schedules lists them)." };
        var command = new Command("trigger", "Fire a schedule now, once: a running scheduler service fires it within its poll interval (5 s by default).") { name };
        command.SetAction((result, cancellationToken) => CliCommands.RunAsync(global, result, async (output, settings) =>
        {
            var services = await OpenAsync(settings, cancellationToken);
            await using (services)
            {
                var book = services.GetRequiredService<ScheduleBook>();
                var schedule = result.GetRequiredValue(name);
                string key;
                try
                {
                    key = await book.TriggerAsync(schedule, cancellationToken);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    throw new CliException(e.Message);
                }

                if (output.Json)
                {
                    output.WriteJson(new { schedule = book.Get(schedule).Name, idempotencyKey = key });
                }
                else
                {
                    await output.Out.WriteLineAsync($"triggered {book.Get(schedule).Name}: a running scheduler fires it within its poll interval; the call's idempotency key is {key}");
                }

                return ExitCodes.Ok;
            }
        }));
        return command;
    }

    // The scheduler's own registration, for the apps given: its book reads and writes the store the service uses.
    private static async Task<ServiceProvider> OpenAsync(CliSettings settings, CancellationToken cancellationToken)
    {
        var apps = LoadedApps.Load(settings.AppPaths, "schedules");
        var (connectionString, source) = settings.Scheduler;
        await Reachability.CheckPostgresAsync(connectionString, source, settings.ConnectTimeout, cancellationToken);
        var services = new ServiceCollection();
        services.AddLogging();
        try
        {
            services.AddPipelineScheduler(settings.Configuration, apps.Assemblies);
        }
        catch (Exception e) when (e is ScheduleDefinitionException or InvalidOperationException)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }

        // The scheduler's settings are options checked when first read; read them here, so a bad one is a usage error.
        var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<SchedulerOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<PostgresResultStoreOptions>>().Value;
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
        {
            await provider.DisposeAsync();
            throw new CliException(e.Message, ExitCodes.Usage);
        }

        return provider;
    }

    private static void Print(CliOutput output, List<(ScheduleInfo Schedule, IReadOnlyList<DateTimeOffset> Next)> schedules)
    {
        if (schedules.Count == 0)
        {
            output.Out.WriteLine("No schedules: define them with [Schedule] on a function or under Pipeline:Scheduler:Schedules.");
            return;
        }

        var table = new Table().Border(TableBorder.None).AddColumns("SCHEDULE", "TARGET", "WHEN", "NEXT (UTC)", "POLICIES");
        foreach (var (schedule, next) in schedules)
        {
            table.AddRow(
                new Text(schedule.Name),
                new Text(schedule.Target + (schedule.Arguments == "[]" ? "" : " " + schedule.Arguments)),
                new Text($"{schedule.Kind} {schedule.Expression} ({schedule.TimeZone})"),
                new Text(string.Join('\n', next.Select(t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)))),
                new Text($"misfire {schedule.Misfire}, overlap {schedule.Overlap}"));
        }

        output.Ansi.Write(table);
    }
}
