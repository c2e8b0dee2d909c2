using System.Net;
using System.Net.Sockets;
using Pipeline.IntegrationTests.Gateway;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.WorkerHost;

/// <summary>
/// A worker host or gateway that cannot start says why in one block naming the setting, and exits 2: never an
/// unhandled exception, a stack trace and SIGABRT (134).
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class StartupFailureTests(Servers servers) : IDisposable
{
    private const string TakenPort = "{taken-port}";
    private const string NotAnAssembly = "{not-an-assembly}";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly EventLog _events = new();
    private readonly TcpListener _taken = Listening();
    private readonly string _textFile = Path.Combine(Path.GetTempPath(), $"pipeline-itest-{Guid.NewGuid():N}.dll");

    [Theory]
    [InlineData("Pipeline__Worker__FunctionConcurrency", "0", "Pipeline:Worker:FunctionConcurrency")]
    [InlineData("Pipeline__Worker__FunctionConcurrency", "many", "Pipeline:Worker:FunctionConcurrency")]
    [InlineData("Pipeline__Worker__ExitGracePeriod", "soon", "Pipeline:Worker:ExitGracePeriod")]
    [InlineData("Pipeline__Worker__Apps__0", "/no/such/App.dll", "Pipeline:Worker:Apps")]
    [InlineData("Pipeline__Worker__Apps__0", NotAnAssembly, "Pipeline:Worker:Apps")]
    [InlineData("Pipeline__Worker__Gpus__0", " ", "Pipeline:Worker:Gpus:0")]
    [InlineData("Pipeline__RabbitMq__ConnectionString", "http://127.0.0.1/", "Pipeline:RabbitMq:ConnectionString")]
    [InlineData("Pipeline__RabbitMq__Endpoints__0", "rabbit-1:notaport", "Pipeline:RabbitMq:Endpoints:0")]
    [InlineData("Pipeline__RabbitMq__ManagementUris__0", "ftp://rabbit-1/", "Pipeline:RabbitMq:ManagementUris:0")]
    [InlineData("Pipeline__RabbitMq__QueueType", "mirrored", "Pipeline:RabbitMq:QueueType")]
    [InlineData("Pipeline__Health__Port", "70000", "Pipeline:Health:Port")]
    [InlineData("Pipeline__Health__Port", TakenPort, "Pipeline:Health:Port")]
    [InlineData("Pipeline__Health__Address", "health.local", "Pipeline:Health:Address")]
    [InlineData("Pipeline__Health__Urls", "http://127.0.0.1:8081/", "Pipeline:Health:Urls")]
    public async Task WorkerHost_BadSetting_Exits2WithOneBlockNamingTheKey(string variable, string value, string key)
    {
        await using var worker = WorkerProcess.Start(servers, _events.Directory, new Dictionary<string, string> { [variable] = Resolve(value) });

        var code = await worker.Exited.WaitAsync(Patience);

        AssertCleanFailure("worker host", code, worker.Output, key);
    }

    [Theory]
    [InlineData("Pipeline__Gateway__RequestTimeout", "00:00:00", "Pipeline:Gateway:RequestTimeout")]
    [InlineData("Pipeline__Gateway__Apps__0", NotAnAssembly, "Pipeline:Gateway:Apps")]
    [InlineData("Pipeline__Gateway__Urls", "http://127.0.0.1:" + TakenPort, "Pipeline:Gateway:Urls")]
    [InlineData("Pipeline__Health__Port", TakenPort, "Pipeline:Health:Port")]
    public async Task Gateway_BadSetting_Exits2WithOneBlockNamingTheKey(string variable, string value, string key)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Pipeline__Gateway__Urls"] = "http://127.0.0.1:0",
            ["Pipeline__Gateway__Apps__0"] = RepoPaths.TestApp,
            ["Pipeline__Gateway__Token"] = GatewayFixture.Token,
            ["Pipeline__RabbitMq__ConnectionString"] = servers.RabbitMq,
            ["PIPELINE_GATEWAY_TOKEN"] = null,
        };
        await using var gateway = ChildProcess.Start("Gateway", GatewayProcess.Built, environment, new Dictionary<string, string> { [variable] = Resolve(value) }, logPrefix: "gateway-");

        var code = await gateway.Exited.WaitAsync(Patience);

        AssertCleanFailure("gateway", code, gateway.Output, key);
    }

    public void Dispose()
    {
        _taken.Dispose();
        File.Delete(_textFile);
        _events.Dispose();
    }

    private static void AssertCleanFailure(string process, int code, string output, string key)
    {
        Assert.True(code == 2, $"exit code {code}, not 2. Output:{Environment.NewLine}{output}");
        Assert.Contains($"error: the {process} did not start.", output, StringComparison.Ordinal);
        Assert.Contains(key, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", output);
        Assert.Equal(1, CountOf(output, "did not start"));
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private static TcpListener Listening()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private string Resolve(string value)
    {
        if (value == NotAnAssembly)
        {
            File.WriteAllText(_textFile, "not an assembly");
            return _textFile;
        }

        return value.Replace(TakenPort, ((IPEndPoint)_taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
