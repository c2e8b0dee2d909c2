namespace Pipeline.Client;

/// <summary>
/// The broker did not take a send within <c>Pipeline:RabbitMq:SendTimeout</c> (default 30 s): RabbitMQ is down,
/// unreachable, or refuses connections. Thrown by connecting, <c>SpawnAsync</c>, <c>RemoteAsync</c> (while its input
/// is being sent; the wait for the reply has no such limit), <c>MapAsync</c> and <c>CancelAsync</c>. The caller's own
/// cancellation token still ends the wait first, with an <see cref="OperationCanceledException"/>. An input whose send
/// timed out was, as a rule, not taken; only one published just as the connection dropped, before the broker's
/// confirm came back, may still run.
/// </summary>
public sealed class BrokerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BrokerUnavailableException()
        : this("The broker did not answer.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public BrokerUnavailableException(string message)
        : base(message)
    {
        Broker = "";
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BrokerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Broker = "";
    }

    /// <summary>Creates the exception for a send to <paramref name="broker"/> that waited <paramref name="timeout"/>.</summary>
    /// <param name="broker">The broker, as a URI without its password.</param>
    /// <param name="timeout">How long the send waited.</param>
    /// <param name="innerException">The last error the broker connection reported, if any.</param>
    public BrokerUnavailableException(string broker, TimeSpan timeout, Exception? innerException)
        : base(
            $"RabbitMQ at {broker} did not take the send within {timeout.TotalSeconds:0.###} s" +
            (innerException is null or OperationCanceledException ? "" : $" ({innerException.Message})") +
            ". Check that the broker runs and is reachable, or raise Pipeline:RabbitMq:SendTimeout.",
            innerException)
    {
        Broker = broker;
        Timeout = timeout;
    }

    /// <summary>The broker, as a URI without its password.</summary>
    public string Broker { get; }

    /// <summary>How long the send waited for the broker.</summary>
    public TimeSpan Timeout { get; }
}
