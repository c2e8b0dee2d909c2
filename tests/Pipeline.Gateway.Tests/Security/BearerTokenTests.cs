using Microsoft.AspNetCore.Http;
using Pipeline.Gateway.Security;

namespace Pipeline.Gateway.Tests.Security;

public sealed class BearerTokenTests
{
    private const string Token = "0123456789abcdef-secret";
    private readonly BearerToken _bearer = new(Token);

    [Theory]
    [InlineData("Bearer " + Token)]
    [InlineData("bearer " + Token)]
    [InlineData("Bearer  " + Token + " ")]
    public void Accepts_TheConfiguredToken_InAnyCaseOfTheScheme(string header)
    {
        Assert.True(_bearer.Accepts(Request(header)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(Token)]
    [InlineData("Basic " + Token)]
    [InlineData("Bearer ")]
    [InlineData("Bearer 0123456789abcdef")]
    [InlineData("Bearer " + Token + "x")]
    [InlineData("Bearer 0123456789ABCDEF-SECRET")]
    public void Accepts_AnythingElse_Refused(string? header)
    {
        Assert.False(_bearer.Accepts(Request(header)));
    }

    [Fact]
    public void Accepts_TwoAuthorizationHeaders_Refused()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = new(["Bearer " + Token, "Bearer " + Token]);

        Assert.False(_bearer.Accepts(context.Request));
    }

    private static HttpRequest Request(string? authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context.Request;
    }
}
