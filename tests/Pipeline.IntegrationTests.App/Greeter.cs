namespace Pipeline.IntegrationTests.App;

/// <summary>A service the app registers itself (<see cref="TestAppServices"/>); one per worker host process.</summary>
public sealed class Greeter
{
    /// <summary>Which instance this is, so a test sees two containers share the singleton.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>Greets.</summary>
    /// <param name="who">Whom.</param>
    public string Hello(string who) => $"hello {who}";
}
