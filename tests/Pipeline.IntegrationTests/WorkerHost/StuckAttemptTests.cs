using System.Net;
using System.Text.Json;
using Pipeline.Client;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Messages.Invocations;

namespace Pipeline.IntegrationTests.WorkerHost;

/// <summary>
/// Hard timeouts on a real worker host: an attempt past its 1 s timeout is TimedOut at the deadline whether or not its
/// code stops; a container whose code does not stop within StuckAttemptGrace (1 s in those tests) is replaced, reported, and
/// runs exit only when that code returns; a cancel with terminateContainers replaces the container. Orderings are
/// asserted (resolved before the function's own end event), never wall-clock bounds.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class StuckAttemptTests(Servers servers) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, string> OneSecondGrace = new() { ["Pipeline__Worker__StuckAttemptGrace"] = "00:00:01" };
    private readonly EventLog _events = new();
    private readonly string _tag = "stuck-" + Guid.NewGuid().ToString("N")[..8];

    [Theory]
    [InlineData("block")]
    [InlineData("ignore-token")]
    public async Task Spawn_CodeIgnoringItsOneSecondTimeout_IsTimedOutBeforeItReturnsAndAFreshContainerServesTheNextInput(string method)
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory, OneSecondGrace);
        await using var session = await TestClient.StartAsync(servers);
        var stubborn = session.Client.Cls("itest", "stubborn").With(new { name = _tag });
        var first = await stubborn.Method("who").RemoteAsync<string>([]).WaitAsync(Patience);

        var call = await stubborn.Method(method).SpawnAsync([_tag]);
        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => call.GetAsync<string>(Patience));

        // Resolved while the function itself still runs (it runs 30 s, until the gate opens).
        Assert.Equal(InvocationStatus.TimedOut, error.Status);
        Assert.Equal(0, _events.Count("stuck-end", _tag));
        var next = await stubborn.Method("who").RemoteAsync<string>([]).WaitAsync(Patience);
        Assert.NotEqual(first, next);
        Assert.Equal(0, _events.Count("stubborn-exit", first));
        Assert.Equal(1, _events.Count("stubborn-enter", next));
        await worker.WaitForOutputAsync("is stuck", Patience);
        Assert.Contains(worker.Output.Split('\n'), l => l.Contains("is stuck", StringComparison.Ordinal) && l.Contains(call.Id, StringComparison.Ordinal));
        using (var http = HealthHttp.Client(await worker.HealthAddressAsync(Patience)))
        {
            var check = await ReadyCheckAsync(http, "stuck-attempts");
            Assert.Equal("Degraded", check.GetProperty("status").GetString());
            Assert.Contains(call.Id, check.GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        // The stuck code returns: its container's exit runs now, and its late result changes nothing.
        servers.OpenGate(_tag);
        await Eventually.TrueAsync(() => _events.Count("stubborn-exit", first) == 1, Patience, "the stuck container ran exit once its attempt returned");
        Assert.Equal(1, _events.Count("stuck-end", _tag));
        var after = await Assert.ThrowsAnyAsync<RemoteException>(() => session.Client.Call(call.Id).GetAsync<string>(TimeSpan.Zero));
        Assert.Equal(InvocationStatus.TimedOut, after.Status);
        Assert.Equal(next, await stubborn.Method("who").RemoteAsync<string>([]).WaitAsync(Patience));
        Assert.Equal(1, _events.Count("stuck-start", _tag));
        Assert.Equal(0, _events.Count("stubborn-exit", next));
    }

    [Fact]
    public async Task Spawn_CodeHonouringItsTimeout_IsTimedOutAndItsContainerServesTheNextInput()
    {
        // The default grace (5 s): the code stops well within it even on a loaded machine.
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var stubborn = session.Client.Cls("itest", "stubborn").With(new { name = _tag });
        var first = await stubborn.Method("who").RemoteAsync<string>([]).WaitAsync(Patience);

        var call = await stubborn.Method("honour").SpawnAsync([_tag]);
        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => call.GetAsync<string>(Patience));
        var next = await stubborn.Method("who").RemoteAsync<string>([]).WaitAsync(Patience);

        Assert.Equal(InvocationStatus.TimedOut, error.Status);
        Assert.Equal(first, next);
        Assert.Equal(1, _events.Count("honour-cancelled", _tag));
        Assert.Equal(0, _events.Count("stubborn-exit", first));
        Assert.Equal(0, worker.Count("is stuck"));
    }

    [Fact]
    public async Task CancelAsync_TerminateContainers_CallEndsCancelledAndAFreshContainerServesThePoolAfterTheOldOneExits()
    {
        await using var worker = await WorkerProcess.StartReadyAsync(servers, _events.Directory);
        await using var session = await TestClient.StartAsync(servers);
        var terminable = session.Client.Cls("itest", "terminable").With(new { name = _tag });
        var first = await terminable.Method("who").RemoteAsync<string>([]).WaitAsync(Patience);
        var call = await terminable.Method("wait").SpawnAsync([_tag]);
        await Eventually.TrueAsync(() => _events.Count("terminable-start", _tag) == 1, Patience, "the call started");

        Assert.True(await call.CancelAsync(terminateContainers: true));

        var error = await Assert.ThrowsAnyAsync<RemoteException>(() => call.GetAsync<string>(Patience));
        Assert.Equal(InvocationStatus.Cancelled, error.Status);
        var next = await terminable.Method("who").RemoteAsync<string>([]).WaitAsync(Patience);
        Assert.NotEqual(first, next);
        await Eventually.TrueAsync(() => _events.Count("terminable-exit", first) == 1, Patience, "the terminated container ran exit");
        Assert.Equal(1, _events.Count("terminable-cancelled", _tag));
        Assert.Equal(0, _events.Count("terminable-exit", next));
        Assert.Equal(0, worker.Count("is stuck"));
    }

    public void Dispose()
    {
        servers.OpenGate(_tag);
        _events.Dispose();
    }

    // Polls readiness until the check is not Healthy (a stuck attempt is reported from the end of its grace).
    private static async Task<JsonElement> ReadyCheckAsync(HttpClient http, string name)
    {
        JsonElement check = default;
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var response = await http.GetAsync(new Uri("healthz/ready", UriKind.Relative));
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        return false;
                    }

                    check = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty(name).Clone();
                    return check.GetProperty("status").GetString() != "Healthy";
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            Patience,
            $"readiness reports {name}");
        return check;
    }
}
