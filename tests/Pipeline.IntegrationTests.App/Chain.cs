using Pipeline.Client;

namespace Pipeline.IntegrationTests.App;

/// <summary>Functions that call other functions through the client the worker host injects.</summary>
public sealed class Chain(IPipelineClient client)
{
    /// <summary>Spawns <c>echo</c>, waits for it, and returns the child's call id.</summary>
    [Function(Timeout = "00:01:00")]
    public async Task<string> SpawnChildAsync(string tag, CancellationToken cancellationToken)
    {
        var child = await client.Function("itest", "echo").SpawnAsync([tag], cancellationToken);
        var reply = await child.GetAsync<Reply>(TimeSpan.FromSeconds(50), cancellationToken);
        return reply.Tag == tag ? child.Id : throw new InvalidOperationException($"echo answered {reply.Tag}, not {tag}.");
    }
}
