namespace Pipeline.Embedded.Tests;

public static class Thrower
{
    public static void Throw(string message) => throw new ArgumentOutOfRangeException(nameof(message), message);
}
