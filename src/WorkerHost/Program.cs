using Microsoft.Extensions.Hosting;
using Pipeline.Observability.Startup;
using Pipeline.WorkerHost;

// The generic worker host: serves the app assemblies named in Pipeline:Worker:Apps over Pipeline:RabbitMq.
// A start-up failure (a bad setting, app or port) prints one error block and exits 2.
return await ProcessStartup.RunAsync("worker host", prepare =>
{
    var builder = Host.CreateApplicationBuilder(args);
    prepare(builder);
    builder.Services.AddPipelineWorkerHost(builder.Configuration);
    return builder.Build();
});
