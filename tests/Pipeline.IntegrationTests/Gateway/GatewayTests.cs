using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Pipeline.IntegrationTests.App;
using Pipeline.IntegrationTests.Infrastructure;
using Pipeline.Messages.Naming;

namespace Pipeline.IntegrationTests.Gateway;

/// <summary>The gateway over real HTTP, calling a real worker host process over the run's RabbitMQ virtual host.</summary>
[Collection(ServersGroupB.Name)]
public sealed class GatewayTests(Servers servers, GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task QueryString_ModalsFourForms_EachReachesThePoolOfItsParameters()
    {
        using var http = await SecureAsync();
        var foo = $"hedgehog-{_run}";

        // The four curl calls of Modal's "Parameterized web endpoints" page.
        var full = await GetAsync<WebReply>(http, $"/itest/web-model/baz?foo={foo}&bar=7&qux=override");
        var defaultBar = await GetAsync<WebReply>(http, $"/itest/web-model/baz?foo={foo}&qux=override");
        var defaultQux = await GetAsync<WebReply>(http, $"/itest/web-model/baz?foo={foo}&bar=7");
        var defaults = await GetAsync<WebReply>(http, $"/itest/web-model/baz?foo={foo}");
        var explicitDefault = await GetAsync<WebReply>(http, $"/itest/web-model/baz?bar=10&FOO={foo}");

        var seven = PoolOf(foo, 7);
        var ten = PoolOf(foo, 10);
        Assert.Equal((foo, 7, "override", seven), (full.Foo, full.Bar, full.Qux, full.Queue));
        Assert.Equal((foo, 10, "override", ten), (defaultBar.Foo, defaultBar.Bar, defaultBar.Qux, defaultBar.Queue));
        Assert.Equal((foo, 7, "default", seven), (defaultQux.Foo, defaultQux.Bar, defaultQux.Qux, defaultQux.Queue));
        Assert.Equal((foo, 10, "default", ten), (defaults.Foo, defaults.Bar, defaults.Qux, defaults.Queue));
        Assert.Equal(ten, explicitDefault.Queue);
        Assert.Equal(1, fixture.Events.Count("enter", $"web-model/{foo}/7"));
        Assert.Equal(1, fixture.Events.Count("enter", $"web-model/{foo}/10"));
    }

    [Fact]
    public async Task PostBody_ArgumentsByName_LeftOutOnesGetTheirDefaults()
    {
        using var http = await SecureAsync();

        var all = await PostAsync(http, "/itest/sum", """{"a": 1, "b": 4, "c": 5}""");
        var gap = await PostAsync(http, "/itest/sum", """{"a": 1, "c": 9}""");
        var mixed = await http.PostAsync("/itest/sum?a=7", null);

        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal(145, await all.Content.ReadFromJsonAsync<long>());
        Assert.Equal(129, await gap.Content.ReadFromJsonAsync<long>());
        Assert.Equal(HttpStatusCode.OK, mixed.StatusCode);
        Assert.Equal(723, await mixed.Content.ReadFromJsonAsync<long>());
    }

    [Fact]
    public async Task MissingRequiredParameter_Returns400NamingIt()
    {
        using var http = await SecureAsync();

        var response = await http.GetAsync("/itest/web-model/baz?bar=7");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "missing_parameter", "foo");
    }

    [Fact]
    public async Task MissingRequiredArgument_Returns400NamingIt()
    {
        using var http = await SecureAsync();

        var response = await PostAsync(http, "/itest/sum", """{"b": 1}""");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "missing_argument", "a");
    }

    [Theory]
    [InlineData("/itest/web-model/baz?foo=x&bar=seven", "wrong_type", "bar")]
    [InlineData("/itest/web-sleep?milliseconds=soon", "wrong_type", "milliseconds")]
    [InlineData("/itest/web-model/baz?foo=x&size=7", "unknown_field", "size")]
    [InlineData("/itest/web-model/baz?foo=x&bar=3000000000", "wrong_type", "bar")]
    [InlineData("/itest/web-model/baz?foo=x&bar=-2147483649", "wrong_type", "bar")]
    public async Task WrongTypeOrUnknownQueryField_Returns400NamingIt(string path, string error, string field)
    {
        using var http = await SecureAsync();

        var response = await http.GetAsync(path);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, error, field);
    }

    [Fact]
    public async Task IntParameterOutOfRange_Returns400NamingTheTypeAndRangeBeforeAnyPool()
    {
        using var http = await SecureAsync();

        var response = await http.GetAsync($"/itest/web-model/baz?foo=big-{_run}&bar=3000000000");

        var body = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "wrong_type", "bar");
        Assert.Contains("'bar' of itest.web-model expects int (a whole number from -2147483648 to 2147483647), got '3000000000'", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongTypeArgumentInBody_Returns400NamingIt()
    {
        using var http = await SecureAsync();

        var response = await PostAsync(http, "/itest/sum", """{"a": "one"}""");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "wrong_type", "a");
    }

    [Fact]
    public async Task ParametersOver16KiB_Return400NamingTheParameter()
    {
        using var http = await SecureAsync();

        var response = await http.GetAsync($"/itest/web-model/baz?foo={new string('h', 17 * 1024)}");

        var body = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "parameters_too_large", "foo");
        Assert.Contains("16 KiB", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyOverTheLimit_Returns413()
    {
        using var http = await SecureAsync();

        var response = await PostAsync(http, "/itest/sum", $$"""{"a": 1, "pad": "{{new string('x', 1024 * 1024)}}"}""");

        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "body_too_large", null);
    }

    [Theory]
    [InlineData("GET", "/itest/no-such-endpoint", HttpStatusCode.NotFound, "not_found")]
    [InlineData("GET", "/itest/sum", HttpStatusCode.MethodNotAllowed, "method_not_allowed")]
    public async Task UnknownEndpoint_Returns404(string method, string path, HttpStatusCode status, string error)
    {
        using var http = await SecureAsync();

        var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertErrorAsync(response, status, error, null);
    }

    [Fact]
    public async Task FunctionThrows_Returns500WithTypeAndMessageButNoTraceback()
    {
        using var http = await SecureAsync();

        var response = await http.GetAsync($"/itest/web-fail?message=broken-{_run}");

        var body = await AssertErrorAsync(response, HttpStatusCode.InternalServerError, "function_failed", null);
        Assert.Equal("System.InvalidOperationException", body.GetProperty("type").GetString());
        Assert.Equal($"broken-{_run}", body.GetProperty("message").GetString());
        Assert.False(body.TryGetProperty("traceback", out _));
        Assert.StartsWith("fc-", body.GetProperty("callId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShowTracebacks_FunctionThrows_500CarriesTheWorkersStackTrace()
    {
        await fixture.StartAsync(servers);
        using var http = fixture.Development.Client(token: null);

        var response = await http.GetAsync("/itest/web-fail?message=traced");

        var body = await AssertErrorAsync(response, HttpStatusCode.InternalServerError, "function_failed", null);
        Assert.Contains("WebFail", body.GetProperty("traceback").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FunctionRunsPastItsTimeout_Returns504()
    {
        using var http = await SecureAsync();

        var response = await http.GetAsync("/itest/web-sleep?milliseconds=30000");

        await AssertErrorAsync(response, HttpStatusCode.GatewayTimeout, "timed_out", null);
    }

    [Fact]
    public async Task NoResultWithinTheGatewaysWaitLimit_Returns504()
    {
        await fixture.StartAsync(servers);
        using var http = fixture.Development.Client(token: null);
        var tag = $"hold-{_run}";

        try
        {
            var response = await http.GetAsync($"/itest/web-hold?tag={tag}");

            var body = await AssertErrorAsync(response, HttpStatusCode.GatewayTimeout, "gateway_timeout", null);
            Assert.Contains($"{GatewayFixture.DevelopmentTimeout.TotalSeconds} s", body.GetProperty("message").GetString(), StringComparison.Ordinal);
            await Eventually.TrueAsync(() => fixture.Events.Count("hold-start", tag) == 1, Patience, "the call went on to run on the worker");
        }
        finally
        {
            servers.OpenGate(tag);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-gateway-token")]
    public async Task RequestWithoutTheToken_Returns401(string? token)
    {
        await fixture.StartAsync(servers);
        using var http = fixture.Secure.Client(token);

        var call = await http.GetAsync($"/itest/web-model/baz?foo=intruder-{_run}");
        var document = await http.GetAsync("/openapi/v1.json");

        await AssertErrorAsync(call, HttpStatusCode.Unauthorized, "unauthorized", null);
        Assert.Equal("Bearer", call.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, document.StatusCode);
        Assert.Equal(0, fixture.Events.Count("enter", $"web-model/intruder-{_run}/10"));
    }

    [Fact]
    public async Task NoToken_GatewayRefusesToStartAndSaysHowToFixIt()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync(servers, token: null));

        Assert.Contains("exited (2)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:Gateway:Token is not set", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--insecure", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoTokenInInsecureMode_ServesWithoutAuthorization()
    {
        await fixture.StartAsync(servers);
        using var http = fixture.Development.Client(token: null);

        var response = await http.PostAsync("/itest/sum?a=1&b=1&c=1", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(111, await response.Content.ReadFromJsonAsync<long>());
        Assert.Contains("WITHOUT a token", fixture.Development.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DescribesEachEndpointWithItsQueryParametersDefaultsAndBody()
    {
        using var http = await SecureAsync();

        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));

        var paths = document.RootElement.GetProperty("paths");
        var baz = paths.GetProperty("/itest/web-model/baz").GetProperty("get");
        var parameters = baz.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(new[] { "foo", "bar", "qux" }, parameters.Keys);
        Assert.True(parameters["foo"].GetProperty("required").GetBoolean());
        Assert.Equal(10, parameters["bar"].GetProperty("schema").GetProperty("default").GetInt32());
        Assert.Equal(("integer", "int32"), (parameters["bar"].GetProperty("schema").GetProperty("type").GetString(), parameters["bar"].GetProperty("schema").GetProperty("format").GetString()));
        Assert.Equal("default", parameters["qux"].GetProperty("schema").GetProperty("default").GetString());
        var sum = paths.GetProperty("/itest/sum").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal(new[] { "a", "b", "c" }, sum.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "a" }, sum.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.True(paths.TryGetProperty("/itest/web-fail", out _));
        Assert.Equal("bearer", document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    private async Task<HttpClient> SecureAsync()
    {
        await fixture.StartAsync(servers);
        return fixture.Secure.Client(GatewayFixture.Token);
    }

    private static string PoolOf(string foo, int bar)
    {
        var manifest = AppManifests.From(typeof(WebModel).Assembly).Single(a => a.Name == "itest").Classes.Single(c => c.Name == "web-model");
        return QueueNames.ForClass("itest", "web-model", manifest.Parameters.Bind([new("foo", foo), new("bar", bar)]));
    }

    private static async Task<T> GetAsync<T>(HttpClient http, string path)
    {
        var response = await http.GetAsync(path).WaitAsync(Patience);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, JsonSerializerOptions.Web)!;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string json) =>
        http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json")).WaitAsync(Patience);

    private static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, string? field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        if (field is null)
        {
            Assert.False(body.TryGetProperty("field", out _), text);
        }
        else
        {
            Assert.Equal(field, body.GetProperty("field").GetString());
        }

        return body;
    }
}
