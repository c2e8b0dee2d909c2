namespace Pipeline.IntegrationTests.App;

/// <summary>
/// A class whose calls a test cancels with <c>terminateContainers</c>: <see cref="WaitAsync"/> runs until its token
/// fires (at most 2 minutes). The container writes <c>terminable-enter</c>/<c>terminable-exit</c> under its id.
/// </summary>
[Cls]
public sealed class Terminable
{
    [Parameter] public required string Name { get; init; }

    [Enter]
    public void Load() => Events.Write("terminable-enter", ContainerId);

    [Exit]
    public void Unload() => Events.Write("terminable-exit", ContainerId);

    /// <summary>Runs until cancelled.</summary>
    [Method]
    public async Task<string> WaitAsync(string tag, CancellationToken cancellationToken)
    {
        Events.Write("terminable-start", tag);
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(2), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Events.Write("terminable-cancelled", tag);
            throw;
        }

        return ContainerId;
    }

    /// <summary>The id of the container that runs it.</summary>
    [Method]
    public string Who() => ContainerId;

    private static string ContainerId => ContainerContext.Current?.ContainerId ?? "none";
}
