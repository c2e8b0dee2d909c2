namespace Pipeline.Results.Tests;

/// <summary>Gives each test (xunit makes one instance per test) its own schema, dropped when the test ends.</summary>
public abstract class PostgresTestBase : IAsyncLifetime
{
    private TestSchema? _schema;

    internal TestSchema Schema => _schema ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async Task InitializeAsync() => _schema = await TestSchema.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }
}
