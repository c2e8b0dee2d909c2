using MyPipeline.Contracts;
using Pipeline.Client;
using Pipeline.Client.Hosting;

// GET /square/7 calls the app's square through the injected IPipelineClient (typed: the compiler checks the call).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddPipeline(builder.Configuration).AddClient([]);
var app = builder.Build();
app.MapGet("/square/{x:int}", (int x, IPipelineClient client, CancellationToken ct) =>
    client.Function<IJobs>().RemoteAsync(j => j.SquareAsync(x, ct)));
app.Run();
