using Pipeline.Client;
using Pipeline.IntegrationTests.Contracts;

namespace Pipeline.IntegrationTests.App;

/// <summary>Functions that call other functions through the client the worker host injects (typed calls need the class).</summary>
public sealed class Chain(PipelineClient client)
{
    /// <summary>Spawns <c>echo</c>, waits for it, and returns the child's call id.</summary>
    [Function(Timeout = "00:01:00")]
    public async Task<string> SpawnChildAsync(string tag, CancellationToken cancellationToken)
    {
        FunctionCall<Reply> child = await client.Function<IWork>().SpawnAsync(w => w.Echo(tag));
        var reply = await child.GetAsync(TimeSpan.FromSeconds(50), cancellationToken);
        return reply.Tag == tag ? child.Id : throw new InvalidOperationException($"echo answered {reply.Tag}, not {tag}.");
    }
}
