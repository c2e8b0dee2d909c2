using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Consumers.Replies;

namespace Pipeline.WorkerHost.Tests.Pools;

/// <summary>A reply sender over an in-memory bus that is never started: pool tests send no replies.</summary>
internal static class TestReplies
{
    public static ReplySender Create() => new(Bus.Factory.CreateUsingInMemory(_ => { }), new AnyReplyAddress(), NullLogger<ReplySender>.Instance);
}
