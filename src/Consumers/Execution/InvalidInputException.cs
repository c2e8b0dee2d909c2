namespace Pipeline.Consumers.Execution;

/// <summary>An input that can never run: bad arguments, bad parameters, an unknown target. Not retried.</summary>
internal sealed class InvalidInputException(string message, Exception? inner = null) : Exception(message, inner);
