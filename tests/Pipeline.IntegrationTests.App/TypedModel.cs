using Pipeline.IntegrationTests.Contracts;

namespace Pipeline.IntegrationTests.App;

/// <summary>Implements <see cref="ITypedModel"/>: its methods need no [Method], its parameters match the record's.</summary>
[Cls]
public sealed class TypedModel : ITypedModel
{
    [Parameter] public required string Name { get; init; }

    [Parameter] public int Size { get; init; } = 3;

    public Task<TypedReply> DescribeAsync(string prompt, CancellationToken ct)
    {
        var context = ContainerContext.Current!;
        return Task.FromResult(new TypedReply($"{Name}:{Size}:{prompt}", context.CallId, context.Attempt, (long)context.Parameters["size"]!, Environment.ProcessId));
    }
}
