namespace Pipeline.Consumers.Replies;

/// <summary>The in-memory transport's check: every address takes a reply (a send that fails still says why).</summary>
internal sealed class AnyReplyAddress : IReplyAddressCheck
{
    public ValueTask<string?> ProblemAsync(Uri address, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
}
