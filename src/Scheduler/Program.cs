using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Scheduler;
using Pipeline.Scheduler.Commands;
using Pipeline.Scheduler.Hosting;

// The scheduler service: fires the schedules of the apps in Pipeline:Scheduler:Apps and Pipeline:Scheduler:Schedules.
// `list [--from <instant>]` and `trigger <name>` are the operator's verbs; they read and write the same store and exit.
// A wrong schedule, app, setting or argument stops it before anything starts: one message on stderr, exit code 2.
IHost host;
CommandLine command;
try
{
    command = CommandLine.Parse(args);
    var builder = Host.CreateApplicationBuilder(command.Settings);
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
    if (command.Verb is not null)
    {
        return await ScheduleCommands.RunAsync(command, host.Services.GetRequiredService<ScheduleBook>(), Console.Out, CancellationToken.None);
    }

    await host.RunAsync();
}

return 0;
