using System.Reflection;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Discovery;

/// <summary>A <see cref="ClsAttribute"/> class: its parameters, lifecycle hooks and methods.</summary>
internal sealed class ClassDefinition
{
    public required string App { get; init; }

    public required string Name { get; init; }

    public required Type Type { get; init; }

    public required ParameterSchema Schema { get; init; }

    /// <summary>The <c>[Parameter]</c> members, set after construction; empty when the record alone declares them.</summary>
    public required IReadOnlyList<ParameterMember> Parameters { get; init; }

    /// <summary>The contract's parameters record, when the class implements a parameterized contract.</summary>
    public ParametersRecord? Record { get; init; }

    /// <summary>Enter hooks in run order: base class first, then declaration order.</summary>
    public required IReadOnlyList<MethodInfo> EnterHooks { get; init; }

    /// <summary>Exit hooks in run order: the same order as enter, not reversed (Modal's rule).</summary>
    public required IReadOnlyList<MethodInfo> ExitHooks { get; init; }

    public required IReadOnlyDictionary<string, Callable> Methods { get; init; }

    public required ContainerSettings Settings { get; init; }
}
