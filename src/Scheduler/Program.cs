using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Scheduler;
using Pipeline.Scheduler.Commands;
using Pipeline.Scheduler.Hosting;

// The scheduler service: fires the schedules of the apps in Pipeline:Scheduler:Apps and Pipeline:Scheduler:Schedules.
// `list [--from <instant>]` and `trigger <name>` are the operator's verbs; they read and write the same store and exit.
// A wrong schedule, app, setting or argument stops it before anything starts: one message on stderr, exit code 2.
// Settings are checked when the host starts (or, for a verb, when its book is resolved), so values set from code
// reach the same checks as configuration.
IHost host;
CommandLine command;
var starting = true;
try
{
    command = CommandLine.Parse(args);
    var builder = Host.CreateApplicationBuilder(command.Settings);
    builder.Logging.AddFilter((_, category, level) => !(starting && level >= LogLevel.Error && category == StartupFailure.HostCategory));
    if (command.Verb is not null)
    {
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
    }

    builder.Services.AddPipelineScheduler(builder.Configuration);
    host = builder.Build();
}
catch (Exception e) when (StartupFailure.IsDefinitionError(e))
{
    return await StartupFailure.ReportAsync(e, Console.Error);
}

using (host)
{
    ScheduleBook? book = null;
    try
    {
        if (command.Verb is not null)
        {
            book = host.Services.GetRequiredService<ScheduleBook>();
        }
        else
        {
            await host.StartAsync();
        }
    }
    catch (Exception e) when (StartupFailure.IsDefinitionError(e))
    {
        return await StartupFailure.ReportAsync(e, Console.Error);
    }

    starting = false;
    if (book is not null)
    {
        return await ScheduleCommands.RunAsync(command, book, Console.Out, CancellationToken.None);
    }

    await host.WaitForShutdownAsync();
}

return 0;
