namespace Pipeline.Consumers.Discovery;

/// <summary>One argument of a callable: its name and type, and whether it may be left out.</summary>
internal sealed record ArgumentSpec(string Name, Type Type, int Position, bool IsOptional, object? DefaultValue);
