using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pipeline.Consumers.Discovery;
using Pipeline.Gateway.Endpoints;

namespace Pipeline.Gateway.Tests.Endpoints;

/// <summary>How a request becomes a call: what is sent for each argument, and which mistakes stop it with which field.</summary>
public sealed class WebRequestBinderTests
{
    private static readonly IReadOnlyList<WebRoute> Routes = WebRoute.From(AppDiscovery.Discover([typeof(Shop), typeof(Catalog)]));

    [Fact]
    public async Task BindAsync_LaterArgumentGivenEarlierOneNot_SendsTheEarlierOnesDefault()
    {
        var bound = await BindAsync("web.order", "", """{"item": "tea", "gift": true}""");

        Assert.Equal("""["tea",1,true]""", Json(bound.Arguments));
    }

    [Fact]
    public async Task BindAsync_TrailingArgumentsLeftOut_AreNotSent()
    {
        var bound = await BindAsync("web.order", "?item=tea");

        Assert.Equal("""["tea"]""", Json(bound.Arguments));
    }

    [Fact]
    public async Task BindAsync_QueryText_BecomesJsonOfTheDeclaredType()
    {
        var bound = await BindAsync("web.order", "?item=42&count=3&gift=TRUE");

        Assert.Equal("""["42",3,true]""", Json(bound.Arguments));
    }

    [Fact]
    public async Task BindAsync_ClassParametersFromQuery_DefaultsAppliedBeforeThePoolIsChosen()
    {
        var leftOut = await BindAsync("web.catalog.search", "?region=eu&term=tea");
        var explicitDefault = await BindAsync("web.catalog.search", "?Region=eu&page=1&term=tea");

        Assert.Equal(leftOut.Parameters!.PoolId, explicitDefault.Parameters!.PoolId);
        Assert.Equal("""{"page":1,"region":"eu"}""", leftOut.Parameters.ToJson());
    }

    [Theory]
    [InlineData("web.catalog.search", "?term=tea", null, "missing_parameter", "region")]
    [InlineData("web.catalog.search", "?region=eu", null, "missing_argument", "term")]
    [InlineData("web.catalog.search", "?region=eu&page=two&term=tea", null, "wrong_type", "page")]
    [InlineData("web.catalog.search", "?region=eu&term=tea&pgae=2", null, "unknown_field", "pgae")]
    [InlineData("web.catalog.search", "?term=tea", """{"region": "eu"}""", "unknown_field", "region")]
    [InlineData("web.order", "?item=tea", """{"item": "coffee"}""", "duplicate_field", "item")]
    [InlineData("web.order", "?item=tea&item=coffee", null, "duplicate_field", "item")]
    [InlineData("web.order", "?item=tea&count=1.5", null, "wrong_type", "count")]
    [InlineData("web.order", "", """{"item": "tea", "count": null}""", "wrong_type", "count")]
    [InlineData("web.order", "", """{"item": "tea", "count": "2"}""", "wrong_type", "count")]
    [InlineData("web.order", "?address=home", null, "wrong_type", "address")]
    [InlineData("web.order", "", """["tea"]""", "invalid_body", null)]
    [InlineData("web.order", "", """{"item": """, "invalid_body", null)]
    public async Task BindAsync_Mistake_Is400NamingTheField(string endpoint, string query, string? body, string error, string? field)
    {
        var refused = await Assert.ThrowsAsync<WebRequestException>(() => BindAsync(endpoint, query, body));

        Assert.Equal(StatusCodes.Status400BadRequest, refused.StatusCode);
        Assert.Equal(error, refused.Body.Error);
        if (field is not null)
        {
            Assert.Equal(field, refused.Body.Field);
            Assert.Contains($"'{field}'", refused.Body.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("web.catalog.search", "?region=eu&page=3000000000&term=tea", null, "page")]
    [InlineData("web.catalog.search", "?region=eu&page=-2147483649&term=tea", null, "page")]
    [InlineData("web.order", "?item=tea&count=3000000000", null, "count")]
    [InlineData("web.order", "", """{"item": "tea", "count": 3000000000}""", "count")]
    public async Task BindAsync_IntOutOfRange_Is400WrongTypeNamingTheFieldTypeAndRange(string endpoint, string query, string? body, string field)
    {
        var refused = await Assert.ThrowsAsync<WebRequestException>(() => BindAsync(endpoint, query, body));

        Assert.Equal((StatusCodes.Status400BadRequest, "wrong_type", field), (refused.StatusCode, refused.Body.Error, refused.Body.Field));
        Assert.Contains($"'{field}'", refused.Body.Message, StringComparison.Ordinal);
        Assert.Contains("int (a whole number from -2147483648 to 2147483647)", refused.Body.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BindAsync_ParametersOver16KiB_NamesTheLargest()
    {
        var refused = await Assert.ThrowsAsync<WebRequestException>(() => BindAsync("web.catalog.search", $"?region={new string('r', 17000)}&term=tea"));

        Assert.Equal(("parameters_too_large", "region"), (refused.Body.Error, refused.Body.Field));
    }

    [Fact]
    public async Task BindAsync_BodyThatIsNotJson_Is415()
    {
        var refused = await Assert.ThrowsAsync<WebRequestException>(() => BindAsync("web.order", "", "item=tea", "application/x-www-form-urlencoded"));

        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, refused.StatusCode);
    }

    private static async Task<BoundRequest> BindAsync(string endpoint, string query, string? body = null, string contentType = "application/json")
    {
        var route = Routes.Single(r => r.Callable.DisplayName == endpoint);
        var context = new DefaultHttpContext();
        context.Request.Method = route.HttpMethod;
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = contentType;
        }

        return await WebRequestBinder.BindAsync(context.Request, route, CancellationToken.None);
    }

    private static string Json(IReadOnlyList<object?> arguments) => JsonSerializer.Serialize(arguments);

    public sealed record Address(string Street, string City);

    [App("web")]
    public static class Shop
    {
        [Function, WebEndpoint("POST")]
        public static string Order(string item, int count = 1, bool gift = false, Address? address = null) => $"{count} {item} {gift} {address}";
    }

    [App("web"), Cls]
    public sealed class Catalog
    {
        [Parameter] public required string Region { get; init; }

        [Parameter] public int Page { get; init; } = 1;

        [WebEndpoint]
        public string Search(string term) => $"{Region}/{Page}: {term}";
    }
}
