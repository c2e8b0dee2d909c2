namespace Pipeline.Scheduler.Tests.Store;

/// <summary>Polls a condition with a deadline: for fires that happen on the scheduler's own threads.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Within {timeout}: {what}");
            await timer.WaitForNextTickAsync();
        }
    }
}
