namespace Pipeline.Bench.Measuring;

/// <summary>Starts <c>count</c> operations with at most <c>window</c> outstanding: how every subject publishes in bulk.</summary>
internal static class Windowed
{
    public static async Task RunAsync(int count, int window, Func<int, Task> operation)
    {
        var inFlight = new Queue<Task>(window);
        for (var i = 0; i < count; i++)
        {
            if (inFlight.Count == window)
            {
                await inFlight.Dequeue();
            }

            inFlight.Enqueue(operation(i));
        }

        await Task.WhenAll(inFlight);
    }
}
