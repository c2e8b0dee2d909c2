namespace Pipeline.Consumers.Invocations;

/// <summary>Headers on a message in a pool's <c>_error</c> queue, saying why it is there.</summary>
internal static class DeadLetterHeaders
{
    public const string Status = "pipeline-status";
    public const string Reason = "pipeline-reason";
    public const string ErrorType = "pipeline-error-type";
    public const string Attempts = "pipeline-attempts";
}
