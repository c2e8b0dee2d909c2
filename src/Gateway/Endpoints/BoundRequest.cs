using Pipeline.Messages.Parameters;

namespace Pipeline.Gateway.Endpoints;

/// <summary>What a request asks for: the class's parameter set (null for a function) and the arguments, by position, as JSON.</summary>
internal sealed record BoundRequest(ParameterSet? Parameters, IReadOnlyList<object?> Arguments);
