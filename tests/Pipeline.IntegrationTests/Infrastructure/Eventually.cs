namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>Polls a condition with a deadline: for state that changes in another process or in the broker.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        await TrueAsync(() => Task.FromResult(condition()), timeout, what);
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Within {timeout}: {what}");
            await timer.WaitForNextTickAsync();
        }
    }
}
