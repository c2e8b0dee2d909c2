namespace Pipeline.Consumers.Replies;

/// <summary>
/// Says whether a caller's reply address can take a reply before one is sent there, so that a bad address costs only
/// that reply. The transport knows what "can" means: on RabbitMQ, that the exchange the address names can be declared
/// with the flags the address asks for.
/// </summary>
internal interface IReplyAddressCheck
{
    /// <summary>Null when a reply can be sent to <paramref name="address"/>; else why not, for people.</summary>
    ValueTask<string?> ProblemAsync(Uri address, CancellationToken cancellationToken);
}
