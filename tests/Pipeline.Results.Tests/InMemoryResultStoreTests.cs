namespace Pipeline.Results.Tests;

/// <summary>The store contract, on the embedded mode's store.</summary>
public sealed class InMemoryResultStoreTests : ResultStoreContract
{
    private protected override IResultStore NewStore(TimeSpan retention) => new InMemoryResultStore(Time, retention);

    private protected override void OnParked(IResultStore store, Action<string> parked) => ((InMemoryResultStore)store).Parked = parked;
}
