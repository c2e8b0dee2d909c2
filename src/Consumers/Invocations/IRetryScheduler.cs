using MassTransit;
using Pipeline.Messages.Invocations;

namespace Pipeline.Consumers.Invocations;

/// <summary>
/// Sends the next attempt of a failed input after its back-off delay, keeping the caller's reply address so a remote
/// caller gets the outcome of the last attempt. Returns once the next attempt is safely scheduled; the consumer then
/// acknowledges the failed one.
/// </summary>
internal interface IRetryScheduler
{
    /// <summary>Whether a scheduled retry survives every process restarting.</summary>
    bool IsDurable { get; }

    /// <summary>Schedules <paramref name="next"/> (the input with its attempt raised) on the pool's queue after <paramref name="delay"/>.</summary>
    Task ScheduleAsync(ConsumeContext context, RunInvocation next, TimeSpan delay);
}
