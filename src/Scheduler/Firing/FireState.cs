using System.Globalization;
using Quartz;

namespace Pipeline.Scheduler.Firing;

/// <summary>
/// What a schedule remembers between fires, kept in its Quartz job's data (in the clustered store, so whichever
/// node fires next sees it): the last occurrence handled and the call id of the last fire.
/// </summary>
/// <param name="LastOccurrence">The last occurrence that ran or was deliberately skipped; none run again.</param>
/// <param name="LastCallId">The call of the last fire, which <see cref="ScheduleOverlap.Skip"/> asks about.</param>
internal sealed record FireState(DateTimeOffset? LastOccurrence, string? LastCallId)
{
    private const string OccurrenceKey = "last-occurrence";
    private const string CallKey = "last-call-id";

    public static FireState Read(JobDataMap data)
    {
        DateTimeOffset? occurrence = data.TryGetValue(OccurrenceKey, out var text) && text is string s &&
            DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;
        return new FireState(occurrence, data.TryGetValue(CallKey, out var call) ? call as string : null);
    }

    public void Write(JobDataMap data)
    {
        // Strings only: the store keeps job data as name/value text, so nothing in it is ever deserialized into a type.
        if (LastOccurrence is { } occurrence)
        {
            data[OccurrenceKey] = occurrence.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        }

        if (LastCallId is { } call)
        {
            data[CallKey] = call;
        }
    }
}
