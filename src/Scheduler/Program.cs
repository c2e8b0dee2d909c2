using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Scheduler;
using Pipeline.Scheduler.Commands;

// The scheduler service: fires the schedules of the apps in Pipeline:Scheduler:Apps and Pipeline:Scheduler:Schedules.
// `list` and `trigger <name>` are the operator's verbs; they read and write the same store and exit.
var (verb, argument, settings) = ScheduleCommands.Split(args);
var builder = Host.CreateApplicationBuilder(settings);
if (verb is not null)
{
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
}

builder.Services.AddPipelineScheduler(builder.Configuration);
using var host = builder.Build();
if (verb is not null)
{
    return await ScheduleCommands.RunAsync(verb, argument, host.Services.GetRequiredService<ScheduleBook>(), Console.Out, CancellationToken.None);
}

await host.RunAsync();
return 0;
