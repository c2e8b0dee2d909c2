namespace Pipeline.Embedded.Tests;

[App("embedded")]
public static class Functions
{
    [Function]
    public static int Square(int x) => x * x;

    [Function(Gpu = "H100:2")]
    public static int OnGpu(int x) => x + 1;

    [Function]
    public static async Task<int> SlowSquareAsync(int x, CancellationToken cancellationToken)
    {
        // Later inputs finish first, so ordered map output is not an accident of timing.
        await Task.Delay(TimeSpan.FromMilliseconds((20 - x) * 5), cancellationToken);
        return x * x;
    }

    [Function]
    public static void Crash(string message) => Thrower.Throw(message);
}
