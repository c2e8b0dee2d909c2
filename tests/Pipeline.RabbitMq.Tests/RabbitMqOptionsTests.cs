namespace Pipeline.RabbitMq.Tests;

public sealed class RabbitMqOptionsTests
{
    [Fact]
    public void ResolveConnectionString_SettingSet_WinsOverEnvironment()
    {
        Assert.Equal("amqp://a/", RabbitMqOptions.ResolveConnectionString(" amqp://a/ ", "amqp://b/"));
    }

    [Fact]
    public void ResolveConnectionString_SettingEmpty_TakesEnvironmentThenDefault()
    {
        Assert.Equal("amqp://b/", RabbitMqOptions.ResolveConnectionString("", "amqp://b/"));
        Assert.Equal("amqp://guest:guest@127.0.0.1:5672/", RabbitMqOptions.ResolveConnectionString(null, " "));
    }

    [Fact]
    public void Credentials_EncodedUserInfo_AreUrlDecoded()
    {
        var options = new RabbitMqOptions { ConnectionString = "amqp://us%40er:p%3As%2Fs%20w@rabbit.example:5673/prod%2Feu" };

        Assert.Equal(("us@er", "p:s/s w"), options.Credentials);
        Assert.Equal("prod/eu", options.VirtualHost);
        Assert.Equal(5673, options.AmqpUri.Port);
    }

    [Theory]
    [InlineData("amqp://rabbit")]
    [InlineData("amqp://rabbit/")]
    [InlineData("amqp://rabbit/%2F")]
    public void VirtualHost_EmptyOrEncodedSlash_IsSlash(string connectionString)
    {
        var options = new RabbitMqOptions { ConnectionString = connectionString };

        Assert.Equal("/", options.VirtualHost);
        Assert.Equal(("guest", "guest"), options.Credentials);
    }

    [Fact]
    public void Credentials_UserWithoutPassword_DefaultsPasswordToGuestLikeRabbitMqClient()
    {
        Assert.Equal(("bob", "guest"), new RabbitMqOptions { ConnectionString = "amqp://bob@rabbit/" }.Credentials);
    }

    [Fact]
    public void Redacted_WithPassword_HidesOnlyThePassword()
    {
        var options = new RabbitMqOptions { ConnectionString = "amqps://pipeline:s3cr%40t@rabbit.example:5671/prod" };

        Assert.Equal("amqps://pipeline:***@rabbit.example:5671/prod", options.Redacted);
        Assert.DoesNotContain("s3cr", options.Redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Redacted_WithoutUserInfo_IsTheUri()
    {
        Assert.Equal("amqp://rabbit:5672/", new RabbitMqOptions { ConnectionString = "amqp://rabbit:5672/" }.Redacted);
    }

    [Fact]
    public void Redacted_NotAUri_ShowsNothingOfIt()
    {
        var options = new RabbitMqOptions { ConnectionString = "host=rabbit;password=s3cret" };

        Assert.DoesNotContain("s3cret", options.Redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void ManagementEndpoint_NotSet_IsAmqpHostOnPort15672()
    {
        Assert.Equal(
            new Uri("http://rabbit.example:15672/"),
            new RabbitMqOptions { ConnectionString = "amqp://u:p@rabbit.example:5672/" }.ManagementEndpoint);
        Assert.Equal(
            new Uri("https://rabbit.example:15671/"),
            new RabbitMqOptions { ConnectionString = "amqps://u:p@rabbit.example/" }.ManagementEndpoint);
    }

    [Fact]
    public void ManagementEndpoint_SetWithoutTrailingSlash_GetsOne()
    {
        var options = new RabbitMqOptions { ConnectionString = "amqp://rabbit/", ManagementUri = new Uri("http://proxy:8080/rabbitmq") };

        Assert.Equal(new Uri("http://proxy:8080/rabbitmq/"), options.ManagementEndpoint);
    }

    [Fact]
    public void Validate_Defaults_HasNoErrors()
    {
        Assert.Empty(new RabbitMqOptions { ConnectionString = "amqp://guest:guest@127.0.0.1:5672/" }.Validate());
    }

    [Theory]
    [InlineData("http://guest:s3cret@rabbit:5672/")]
    [InlineData("rabbit:5672")]
    [InlineData("not a uri s3cret")]
    public void Validate_NotAnAmqpUri_NamesTheKeyWithoutThePassword(string connectionString)
    {
        var options = new RabbitMqOptions { ConnectionString = connectionString };

        var error = Assert.Single(options.Validate());
        Assert.StartsWith("Pipeline:RabbitMq:ConnectionString is not an amqp:// or amqps:// URI", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
        var thrown = Assert.Throws<InvalidOperationException>(() => options.AmqpUri);
        Assert.DoesNotContain("s3cret", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadSettings_NameEachKey()
    {
        var options = new RabbitMqOptions
        {
            ConnectionString = "amqp://rabbit/",
            ManagementUri = new Uri("ftp://rabbit/"),
            QueueType = (RabbitMqQueueType)7,
            DeliveryLimit = 0,
        };

        var errors = options.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Pipeline:RabbitMq:ManagementUri", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Pipeline:RabbitMq:QueueType", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Pipeline:RabbitMq:DeliveryLimit", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_TwoPathSegments_AsksToEncodeTheSlash()
    {
        var error = Assert.Single(new RabbitMqOptions { ConnectionString = "amqp://rabbit/a/b" }.Validate());

        Assert.Contains("%2F", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00.500")]
    [InlineData("00:00:00")]
    [InlineData("01:00:01")]
    public void Validate_SendTimeoutOutOfRange_NamesTheKeyAndTheRange(string value)
    {
        var options = new RabbitMqOptions { ConnectionString = "amqp://rabbit/", SendTimeout = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) };

        var error = Assert.Single(options.Validate());

        Assert.Contains("Pipeline:RabbitMq:SendTimeout", error, StringComparison.Ordinal);
        Assert.Contains("between 00:00:01 and 01:00:00", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SendTimeout_Default_Is30Seconds() => Assert.Equal(TimeSpan.FromSeconds(30), new RabbitMqOptions().SendTimeout);
}
