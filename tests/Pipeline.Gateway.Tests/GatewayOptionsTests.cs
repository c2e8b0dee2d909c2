namespace Pipeline.Gateway.Tests;

public sealed class GatewayOptionsTests
{
    private const string Secret = "0123456789abcdef-secret";

    [Fact]
    public void Validate_NoTokenAndNotInsecure_RefusesNamingTheKeyAndTheDevelopmentSwitch()
    {
        var options = new GatewayOptions { Token = null };

        var problem = Assert.Single(options.Validate(), p => p.Contains("Token", StringComparison.Ordinal));

        Assert.Contains("Pipeline:Gateway:Token is not set", problem, StringComparison.Ordinal);
        Assert.Contains("--insecure", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NoTokenInInsecureMode_IsAccepted()
    {
        var options = new GatewayOptions { Token = null, AllowInsecureWithoutToken = true };

        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("short-token")]
    [InlineData("a token with spaces in it")]
    public void Validate_WeakToken_RefusedWithoutRepeatingIt(string token)
    {
        var problem = Assert.Single(new GatewayOptions { Token = token }.Validate());

        Assert.Contains("Pipeline:Gateway:Token must be at least 16 characters", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(token, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Urls", "127.0.0.1:8080", "Pipeline:Gateway:Urls has '127.0.0.1:8080'")]
    [InlineData("MaxRequestBodyBytes", "0", "Pipeline:Gateway:MaxRequestBodyBytes must be at least 1")]
    [InlineData("RequestTimeout", "00:00:00.5", "Pipeline:Gateway:RequestTimeout must be between")]
    public void Validate_BadSetting_NamesItsKey(string key, string value, string expected)
    {
        var options = new GatewayOptions { Token = Secret };
        switch (key)
        {
            case "Urls":
                options.Urls = value;
                break;
            case "MaxRequestBodyBytes":
                options.MaxRequestBodyBytes = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                options.RequestTimeout = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
        }

        Assert.Contains(expected, Assert.Single(options.Validate()), StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_LoopbackOneMebibyteNoTracebacks()
    {
        var options = new GatewayOptions { Token = Secret };

        Assert.Equal(["http://127.0.0.1:8080"], options.UrlList);
        Assert.Equal(1024 * 1024, options.MaxRequestBodyBytes);
        Assert.False(options.ShowTracebacks);
        Assert.False(options.AllowInsecureWithoutToken);
        Assert.Empty(options.Validate());
    }
}
