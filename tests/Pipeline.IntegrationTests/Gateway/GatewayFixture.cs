using System.Net;
using System.Text;
using Pipeline.IntegrationTests.Infrastructure;

namespace Pipeline.IntegrationTests.Gateway;

/// <summary>
/// One worker host process and two gateway processes for all the gateway tests, started together by the first test
/// (tests of a class run one at a time): <see cref="Secure"/> with a token and the default settings, and
/// <see cref="Development"/> as a developer runs it: <c>--insecure</c>, tracebacks shown, a 3 s wait limit.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string Token = "itest-gateway-token-0123456789";

    public static readonly TimeSpan DevelopmentTimeout = TimeSpan.FromSeconds(3);

    private WorkerProcess? _worker;
    private Task? _started;

    public EventLog Events { get; } = new();

    public GatewayProcess Secure { get; private set; } = null!;

    public GatewayProcess Development { get; private set; } = null!;

    /// <summary>Starts everything once; if that failed, every later test fails at once with the same error.</summary>
    public Task StartAsync(Servers servers) => _started ??= StartOnceAsync(servers);

    private async Task StartOnceAsync(Servers servers)
    {
        var worker = WorkerProcess.StartReadyAsync(servers, Events.Directory);
        var secure = GatewayProcess.StartAsync(servers, Token);
        var development = GatewayProcess.StartAsync(servers, token: null, new Dictionary<string, string>
        {
            ["Pipeline__Gateway__ShowTracebacks"] = "true",
            ["Pipeline__Gateway__RequestTimeout"] = DevelopmentTimeout.ToString("c"),
        }, ["--insecure"]);
        try
        {
            await Task.WhenAll(worker, secure, development);
        }
        finally
        {
            // Whatever started is stopped at the end, even when something else did not start.
            _worker = worker.IsCompletedSuccessfully ? worker.Result : null;
            Secure = secure.IsCompletedSuccessfully ? secure.Result : null!;
            Development = development.IsCompletedSuccessfully ? development.Result : null!;
        }

        // Each function pool's first container takes seconds to start: start them side by side, not one per test.
        using var http = Secure.Client(Token);
        var warmed = await Task.WhenAll(
            http.PostAsync("/itest/sum", new StringContent("""{"a": 0}""", Encoding.UTF8, "application/json")),
            http.GetAsync("/itest/web-fail?message=warm-up"),
            http.GetAsync("/itest/web-sleep?milliseconds=0"));
        foreach (var response in warmed)
        {
            response.Dispose();
        }

        // A cold gateway's first call to a pool (broker connection, reply queue, JIT) can outlast the development
        // gateway's wait limit: call each pool its tests use until it answers as it will in the test.
        using var developer = Development.Client(token: null);
        servers.OpenGate("warm-up");
        await AnswersAsync(() => developer.PostAsync("/itest/sum", new StringContent("""{"a": 0}""", Encoding.UTF8, "application/json")), HttpStatusCode.OK);
        await AnswersAsync(() => developer.GetAsync("/itest/web-fail?message=warm-up"), HttpStatusCode.InternalServerError);
        await AnswersAsync(() => developer.GetAsync("/itest/web-hold?tag=warm-up"), HttpStatusCode.OK);
    }

    private static Task AnswersAsync(Func<Task<HttpResponseMessage>> call, HttpStatusCode expected) => Eventually.TrueAsync(
        async () =>
        {
            using var response = await call();
            return response.StatusCode == expected;
        },
        TimeSpan.FromSeconds(60),
        $"the development gateway answers {expected}");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var gateway in new[] { Secure, Development }.Where(g => g is not null))
        {
            await gateway.DisposeAsync();
        }

        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        Events.Dispose();
    }
}
