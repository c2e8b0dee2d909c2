using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Pipeline.Client;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Observability.Tests.Infrastructure;
using Pipeline.RabbitMq;

namespace Pipeline.Observability.Tests.Telemetry;

[Collection(ServersGroup.Name)]
public sealed class TracingTests(Servers servers)
{
    [Theory]
    [InlineData("flaky", 2)]
    [InlineData("delayed", 1)]
    public async Task Call_WithRetries_IsOneTraceFromTheSendThroughEachConsumeToEachAttempt(string function, int failures)
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(TelemetryServiceCollectionExtensions.PipelineSource, TelemetryServiceCollectionExtensions.MassTransitSource)
            .AddInMemoryExporter(spans)
            .Build();
        var tag = $"{function}-{Guid.NewGuid():N}";
        using (var host = await InProcessHost.StartAsync(servers, servers.RabbitMq))
        {
            await using var connection = await PipelineConnection.ConnectAsync(
                new RabbitMqOptions { ConnectionString = servers.RabbitMq, ManagementUri = servers.ManagementUri },
                AppManifests.From(typeof(TracedJobs).Assembly));

            var reply = await connection.Client.Function("traced", function).RemoteAsync<string>([tag, failures]);

            Assert.Equal($"{tag} ok after {failures + 1}", reply);
            await host.StopAsync();
        }

        tracing.ForceFlush();
        List<Activity> all;
        lock (spans)
        {
            all = [.. spans];
        }

        var attempts = all.Where(s => s.Source.Name == "Pipeline" && s.OperationName == $"pipeline.attempt traced.{function}").ToList();
        var trace = attempts.Select(a => a.TraceId).Distinct().Single();
        var ours = attempts.OrderBy(a => (int)a.GetTagItem("pipeline.attempt")!).ToList();

        // Each attempt is its own span, numbered, with its outcome; all in the caller's one trace.
        Assert.Equal(Enumerable.Range(1, failures + 1), ours.Select(a => (int)a.GetTagItem("pipeline.attempt")!));
        Assert.Equal([.. Enumerable.Repeat("Failed", failures), "Succeeded"], ours.Select(a => (string)a.GetTagItem("pipeline.status")!));
        Assert.Single(ours.Select(a => (string)a.GetTagItem("pipeline.call_id")!).Distinct());

        // Each attempt is a child of MassTransit's consume span of its own delivery...
        var byId = all.Where(s => s.TraceId == trace).ToDictionary(s => s.SpanId);
        foreach (var attempt in ours)
        {
            var consume = byId[attempt.ParentSpanId];
            Assert.Equal("MassTransit", consume.Source.Name);
            Assert.Equal(ActivityKind.Consumer, consume.Kind);
        }

        Assert.Equal(ours.Count, ours.Select(a => a.ParentSpanId).Distinct().Count());

        // ...and the trace starts at the client's send, a producer span with no parent in this process.
        var first = byId[ours[0].ParentSpanId];
        var root = first;
        while (root.ParentSpanId != default && byId.TryGetValue(root.ParentSpanId, out var parent))
        {
            root = parent;
        }

        Assert.Equal(ActivityKind.Producer, root.Kind);
        Assert.Equal("MassTransit", root.Source.Name);
    }
}
