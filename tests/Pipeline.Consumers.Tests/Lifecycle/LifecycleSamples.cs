namespace Pipeline.Consumers.Tests.Lifecycle;

public abstract class BaseModel
{
    [Parameter] public required string Run { get; init; }

    [Enter]
    public void BaseEnter() => HookLog.Add(Run, "base-enter");

    [Exit]
    public void BaseExit() => HookLog.Add(Run, "base-exit");
}

[App("lifecycle"), Cls]
public sealed class OrderedModel : BaseModel
{
    [Enter]
    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        HookLog.Add(Run, "enter-async");
    }

    [Enter]
    public void EnterSync() => HookLog.Add(Run, "enter-sync");

    [Method]
    public string Work(string input)
    {
        HookLog.Add(Run, "work:" + input);
        return input.ToUpperInvariant();
    }

    [Exit]
    public async ValueTask ExitAsync()
    {
        await Task.Yield();
        HookLog.Add(Run, "exit-async");
    }

    [Exit]
    public void ExitSync() => HookLog.Add(Run, "exit-sync");
}

[App("lifecycle"), Cls]
public sealed class FailingEnterModel
{
    [Parameter] public required string Run { get; init; }

    [Enter]
    public void Load()
    {
        HookLog.Add(Run, "enter");
        throw new FileNotFoundException("weights.bin is missing");
    }

    [Enter]
    public void NeverRuns() => HookLog.Add(Run, "second-enter");

    [Method]
    public string Work(string input) => input;

    [Exit]
    public void Close() => HookLog.Add(Run, "exit");
}

[App("lifecycle"), Cls]
public sealed class SlowExitModel
{
    [Parameter] public required string Run { get; init; }

    [Method]
    public string Work(string input) => input;

    [Exit]
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        HookLog.Add(Run, "exit-started");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            HookLog.Add(Run, "exit-cancelled");
            throw;
        }
    }
}

[App("lifecycle"), Cls]
public sealed class ThrowingExitModel
{
    [Parameter] public required string Run { get; init; }

    [Method]
    public string Work(string input) => input;

    [Exit]
    public void First()
    {
        HookLog.Add(Run, "first-exit");
        throw new InvalidOperationException("close failed");
    }

    [Exit]
    public void Second() => HookLog.Add(Run, "second-exit");
}
