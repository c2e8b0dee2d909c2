using Microsoft.Extensions.Hosting;
using Pipeline.WorkerHost;

// The generic worker host: serves the app assemblies named in Pipeline:Worker:Apps over Pipeline:RabbitMq.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPipelineWorkerHost(builder.Configuration);
await builder.Build().RunAsync();
