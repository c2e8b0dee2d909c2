using Pipeline.Client;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Batching;

/// <summary>
/// One worker process and one client for all the batching tests, started by the first test that needs them (a class
/// fixture cannot take the run's <see cref="Servers"/>): each test tags its inputs, so they never mix.
/// </summary>
public sealed class BatchingWorker : IAsyncLifetime
{
    private readonly Lock _gate = new();
    private Task<PipelineClient>? _start;
    private WorkerProcess? _worker;
    private PipelineConnection? _session;

    public EventLog Events { get; } = new();

    public int Pid => (_worker ?? throw new InvalidOperationException("The worker has not started.")).Pid;

    public Task<PipelineClient> StartAsync(Servers servers)
    {
        lock (_gate)
        {
            return _start ??= StartCoreAsync(servers);
        }
    }

    private async Task<PipelineClient> StartCoreAsync(Servers servers)
    {
        _worker = await WorkerProcess.StartReadyAsync(servers, Events.Directory);
        _session = await TestClient.StartAsync(servers);
        return _session.Client;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        Events.Dispose();
    }
}
