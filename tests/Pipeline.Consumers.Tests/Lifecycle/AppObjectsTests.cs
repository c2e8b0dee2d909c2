using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Lifecycle;
using Pipeline.Messages.Naming;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Tests.Lifecycle;

/// <summary>App objects are built from the host's services: a scope per container for a class, per input for a function.</summary>
public sealed class AppObjectsTests : IAsyncDisposable
{
    private static readonly AppRegistry Registry = AppDiscovery.Discover([typeof(InjectedModel), typeof(InjectedJobs), typeof(RecordModel)]);
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSingleton(new Greeting("hello"))
        .AddScoped<ScopeProbe>()
        .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

    [Fact]
    public async Task StartAsync_ClsTakingServices_InjectsThemAndSetsParametersBeforeEnter()
    {
        var (container, _) = Create();

        Assert.True(await container.StartAsync(CancellationToken.None));

        var model = (InjectedModel)container.Instance!;
        Assert.Equal("hello", model.Greeting.Text);
        Assert.Equal("llama:3", model.SeenAtEnter);
    }

    [Fact]
    public async Task StopAsync_AfterEnter_RunsExitBeforeDisposingTheContainersScope()
    {
        var (container, _) = Create();
        Assert.True(await container.StartAsync(CancellationToken.None));
        var model = (InjectedModel)container.Instance!;

        await container.StopAsync(TimeSpan.FromSeconds(5));

        Assert.False(model.ScopeDisposedAtExit);
        Assert.True(model.Probe.Disposed);
    }

    [Fact]
    public async Task StartMethodAsync_InstanceFunction_BuildsAnObjectPerInputInItsOwnDisposedScope()
    {
        var function = Registry.FindFunction("di", "probe")!;
        var container = new Container(function.FunctionQueue, null, ParameterSet.Empty, _time, NullLogger.Instance, objects: new AppObjects(_services));
        Assert.True(await container.StartAsync(CancellationToken.None));

        var first = (ScopeProbe)(await container.StartMethodAsync(function.Method, []))!;
        var second = (ScopeProbe)(await container.StartMethodAsync(function.Method, []))!;

        Assert.NotEqual(first.Id, second.Id);
        Assert.True(first.Disposed);
        Assert.True(second.Disposed);
    }

    [Theory]
    [InlineData(7, 7)]
    [InlineData(null, 3)]
    public async Task StartAsync_ClsTakingItsRecord_GetsTheHashedValuesWithDefaultsAndServicesBeforeEnter(int? size, int expected)
    {
        var definition = Registry.FindClass("di", "record-model")!;
        var parameters = definition.Schema.Bind(size is null ? [new("name", "llama")] : [new("name", "llama"), new("size", size)]);
        var container = new Container(QueueNames.ForClass("di", "record-model", parameters), definition, parameters, _time, NullLogger.Instance, objects: new AppObjects(_services));

        Assert.True(await container.StartAsync(CancellationToken.None));

        var model = (RecordModel)container.Instance!;
        Assert.Equal(new RecordParameters("llama", expected), model.Parameters);
        Assert.Equal($"hello llama:{expected}", model.SeenAtEnter);
        Assert.Equal(parameters.Hash, Pipeline.Contracts.ContractDescription.Valid(typeof(IRecordModel)).Bind(model.Parameters).Hash);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private (Container Container, ParameterSet Parameters) Create()
    {
        var definition = Registry.FindClass("di", "injected-model")!;
        var parameters = definition.Schema.Bind([new("name", "llama")]);
        var container = new Container(QueueNames.ForClass("di", "injected-model", parameters), definition, parameters, _time, NullLogger.Instance, objects: new AppObjects(_services));
        return (container, parameters);
    }

    public sealed record Greeting(string Text);

    public sealed class ScopeProbe : IDisposable
    {
        public Guid Id { get; } = Guid.NewGuid();

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    [App("di"), Cls]
    public sealed class InjectedModel(Greeting greeting, ScopeProbe probe)
    {
        [Parameter] public required string Name { get; init; }

        [Parameter] public int Size { get; init; } = 3;

        public Greeting Greeting { get; } = greeting;

        public ScopeProbe Probe { get; } = probe;

        public string? SeenAtEnter { get; private set; }

        public bool ScopeDisposedAtExit { get; private set; } = true;

        [Enter]
        public void Load() => SeenAtEnter = $"{Name}:{Size}";

        [Method]
        public string Run() => Greeting.Text;

        [Exit]
        public void Unload() => ScopeDisposedAtExit = Probe.Disposed;
    }

    public sealed record RecordParameters(string Name, int Size = 3);

    [Contract(App = "di")]
    public interface IRecordModel : IParameterized<RecordParameters>
    {
        string Run();
    }

    [App("di"), Cls]
    public sealed class RecordModel(Greeting greeting, RecordParameters parameters) : IRecordModel
    {
        public RecordParameters Parameters { get; } = parameters;

        public string? SeenAtEnter { get; private set; }

        [Enter]
        public void Load() => SeenAtEnter = $"{greeting.Text} {Parameters.Name}:{Parameters.Size}";

        public string Run() => Parameters.Name;
    }

    [App("di")]
    public sealed class InjectedJobs(ScopeProbe probe)
    {
        [Function]
        public ScopeProbe Probe() => probe;
    }
}
