using Microsoft.Extensions.Time.Testing;

namespace Pipeline.Consumers.Tests.Infrastructure;

/// <summary>Drives a <see cref="FakeTimeProvider"/> while real code runs, bounded in real time.</summary>
internal static class FakeClock
{
    private static readonly TimeSpan RealTimeBound = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Advances <paramref name="time"/> a second at a time, yielding 5 ms of real time between steps, until
    /// <paramref name="task"/> completes; fails with <paramref name="failure"/> after 15 s of real time.
    /// </summary>
    public static async Task AdvanceUntilDoneAsync(this FakeTimeProvider time, Task task, string failure)
    {
        var deadline = DateTime.UtcNow + RealTimeBound;
        while (!task.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not done within {RealTimeBound.TotalSeconds:0} s of real time: {failure}");
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
            time.Advance(TimeSpan.FromSeconds(1));
        }
    }
}
