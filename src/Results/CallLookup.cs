using Pipeline.Messages.Invocations;

namespace Pipeline.Results;

/// <summary>The answer to "how is call X doing".</summary>
/// <param name="State">Pending, completed, or unknown/expired.</param>
/// <param name="Result">The outcome, when completed.</param>
public sealed record CallLookup(CallState State, InvocationCompleted? Result);
