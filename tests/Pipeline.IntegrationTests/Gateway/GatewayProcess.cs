using System.Net.Http.Headers;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Gateway;

/// <summary>A real gateway process (<c>dotnet Pipeline.Gateway.dll</c>) on a free loopback port, serving the test app over the run's virtual host.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private const string Listening = "Now listening on: ";
    private readonly ChildProcess _process;

    private GatewayProcess(ChildProcess process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public static string Built => Path.Combine(RepoPaths.Root, "src", "Gateway", "bin", RepoPaths.Configuration, "net10.0", "Pipeline.Gateway.dll");

    public Uri Address { get; }

    public string Output => _process.Output;

    /// <summary>Starts a gateway with the token and extra settings (<c>Pipeline__Gateway__...</c> environment variables) and waits until it listens.</summary>
    public static async Task<GatewayProcess> StartAsync(Servers servers, string? token, IReadOnlyDictionary<string, string>? settings = null, IReadOnlyList<string>? args = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Pipeline__Gateway__Urls"] = "http://127.0.0.1:0",
            ["Pipeline__Gateway__Apps__0"] = RepoPaths.TestApp,
            ["Pipeline__RabbitMq__ConnectionString"] = servers.RabbitMq,
            ["Pipeline__RabbitMq__ManagementUri"] = servers.ManagementUri.ToString(),
            ["PIPELINE_GATEWAY_TOKEN"] = null,
        };
        if (token is not null)
        {
            environment["Pipeline__Gateway__Token"] = token;
        }

        var process = ChildProcess.Start("Gateway", Built, environment, settings, logPrefix: "gateway-", args);
        var line = await process.WaitForOutputAsync(Listening, TimeSpan.FromSeconds(60));
        return new GatewayProcess(process, new Uri(line[(line.IndexOf(Listening, StringComparison.Ordinal) + Listening.Length)..].Trim()));
    }

    /// <summary>The base address of the process's health endpoints (<c>/healthz/live</c>, <c>/healthz/ready</c>), from its log.</summary>
    public Task<Uri> HealthAddressAsync(TimeSpan timeout) => _process.HealthAddressAsync(timeout);

    /// <summary>A client for this gateway; with <paramref name="token"/> null it sends no Authorization header.</summary>
    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
