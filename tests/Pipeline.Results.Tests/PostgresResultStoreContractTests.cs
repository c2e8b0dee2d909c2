namespace Pipeline.Results.Tests;

/// <summary>
/// The store contract, on PostgreSQL, in a schema of its own per test. Waiters poll once an hour, so only a notification
/// wakes them within a test's patience.
/// </summary>
public sealed class PostgresResultStoreContractTests : ResultStoreContract
{
    private TestSchema? _schema;

    private TestSchema Schema => _schema ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public override async Task InitializeAsync() => _schema = await TestSchema.CreateAsync();

    public override async Task DisposeAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    private protected override IResultStore NewStore(TimeSpan retention) =>
        Schema.Store(Time, o =>
        {
            TestSchema.FewConnections(o);
            o.Retention = retention;
            o.PollInterval = TimeSpan.FromHours(1);
        });

    private protected override void OnParked(IResultStore store, Action<string> parked) => ((PostgresResultStore)store).Parked = parked;
}
