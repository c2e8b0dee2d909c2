using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Pipeline.Messages.Invocations;

namespace Pipeline.Results.Tests;

/// <summary>A store whose server does not answer throws the documented exception, naming the server but never the password.</summary>
public sealed class ResultStoreUnavailableTests
{
    [Fact]
    public async Task EveryOperation_ServerRefusesConnections_ThrowsResultStoreUnavailableWithTheTargetAndTheFix()
    {
        var port = ClosedPort();
        await using var store = new PostgresResultStore(
            new PostgresResultStoreOptions { ConnectionString = $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=u;Password=s3cret-pw;Database=d;Timeout=3" },
            TimeProvider.System);

        var register = await Assert.ThrowsAsync<ResultStoreUnavailableException>(() => store.RegisterAsync("fc-1", CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<ResultStoreUnavailableException>(() => store.GetAsync("fc-1", TimeSpan.Zero, CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<ResultStoreUnavailableException>(() => store.ClaimAsync("key", "fc-1", CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<ResultStoreUnavailableException>(() => store.CancelAsync("fc-1", CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<ResultStoreUnavailableException>(() => store.RecordAsync(
            new InvocationCompleted { CallId = "fc-1", Status = InvocationStatus.Succeeded }, CancellationToken.None).AsTask());

        Assert.Contains($"Port={port.ToString(CultureInfo.InvariantCulture)}", register.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Results:ConnectionString", register.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", register.ToString(), StringComparison.Ordinal);
        Assert.Equal($"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Database=d;Username=u", register.Target);
        Assert.True(StoreFaults.IsTransient(register.InnerException));
    }

    [Fact]
    public async Task GetAsync_Cancelled_StaysOperationCanceled()
    {
        await using var store = new PostgresResultStore(
            new PostgresResultStoreOptions { ConnectionString = $"Host=127.0.0.1;Port={ClosedPort().ToString(CultureInfo.InvariantCulture)};Username=u;Database=d;Timeout=3" },
            TimeProvider.System);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetAsync("fc-1", TimeSpan.Zero, cancelled.Token).AsTask());
    }

    // A port nobody listens on: taken from the OS, then released.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
