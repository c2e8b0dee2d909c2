namespace Pipeline.Consumers.Discovery;

/// <summary>An invocation names an app, class, function or method that the registry does not have.</summary>
internal sealed class UnknownTargetException(string message) : Exception(message);
