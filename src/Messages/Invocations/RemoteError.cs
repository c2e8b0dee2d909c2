namespace Pipeline.Messages.Invocations;

/// <summary>An error raised on a worker, as the caller sees it.</summary>
/// <param name="Type">The full name of the exception type on the worker.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="StackTrace">The worker's stack trace, when there is one.</param>
public sealed record RemoteError(string Type, string Message, string? StackTrace);
