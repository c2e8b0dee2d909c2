using Microsoft.Extensions.Hosting;
using MyPipeline.App;
using Pipeline.Client.Hosting;
using Pipeline.WorkerHost;

// Serves the app's functions over Pipeline:RabbitMq (env PIPELINE_RABBITMQ, else the local broker).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPipeline(builder.Configuration).AddWorkerHost([typeof(Jobs).Assembly]);
await builder.Build().RunAsync();
