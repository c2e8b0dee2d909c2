using System.Reflection;
using Pipeline.Messages.Naming;

namespace Pipeline.Consumers.Discovery;

/// <summary>A function or class method that messages may reach, found by discovery. Nothing else is ever invoked.</summary>
internal sealed class Callable
{
    private string? _functionQueue;

    public required string App { get; init; }

    /// <summary>The normalized class name for a method; null for a function.</summary>
    public string? Class { get; init; }

    public required string Name { get; init; }

    public required MethodInfo Method { get; init; }

    /// <summary>The arguments callers give, in order; a <see cref="CancellationToken"/> is not one of them.</summary>
    public required IReadOnlyList<ArgumentSpec> Arguments { get; init; }

    /// <summary>Where the <see cref="CancellationToken"/> goes in the method's parameters, or -1.</summary>
    public required int CancellationTokenIndex { get; init; }

    public required ContainerSettings Settings { get; init; }

    public BatchedAttribute? Batched { get; init; }

    /// <summary>The list shapes of a batched method (<see cref="Arguments"/> then hold the element types); null when not batched.</summary>
    public Batching.BatchSignature? BatchSignature { get; init; }

    public IReadOnlyList<ScheduleAttribute> Schedules { get; init; } = [];

    /// <summary>How the gateway serves it over HTTP; null when it is not a web endpoint.</summary>
    public WebEndpoint? WebEndpoint { get; init; }

    /// <summary>The pool queue of a function (<c>app.function</c>); a method's queue depends on its class's parameters.</summary>
    public string FunctionQueue => _functionQueue ??= QueueNames.ForFunction(App, Name);

    /// <summary>A readable name for logs and errors: <c>app.function</c> or <c>app.class.method</c>.</summary>
    public string DisplayName => Class is null ? $"{App}.{Name}" : $"{App}.{Class}.{Name}";
}
