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
    public void Nodes_EndpointsSet_ReplaceTheConnectionStringsHostWithDefaultPorts()
    {
        var options = new RabbitMqOptions { ConnectionString = "amqp://u:p@ignored:5999/vh" };
        options.Endpoints.Add("rabbit-1:5673");
        options.Endpoints.Add("rabbit-2");
        options.Endpoints.Add("[::1]:5674");

        Assert.Equal([("rabbit-1", 5673), ("rabbit-2", 5672), ("::1", 5674)], options.Nodes);
        Assert.Equal("vh", options.VirtualHost);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Nodes_NoEndpoints_IsTheConnectionStringsNode()
    {
        Assert.Equal([("rabbit", 5671)], new RabbitMqOptions { ConnectionString = "amqps://rabbit/" }.Nodes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("rabbit:notaport")]
    [InlineData("rabbit:70000")]
    [InlineData("amqp://rabbit:5672")]
    [InlineData("user@rabbit:5672")]
    [InlineData("rabbit:5672/vhost")]
    public void Validate_EndpointNotHostPort_NamesTheKeyAndIndex(string endpoint)
    {
        var options = new RabbitMqOptions { ConnectionString = "amqp://rabbit/" };
        options.Endpoints.Add("good:5672");
        options.Endpoints.Add(endpoint);

        var error = Assert.Single(options.Validate());

        Assert.StartsWith("Pipeline:RabbitMq:Endpoints:1 (", error, StringComparison.Ordinal);
        Assert.Contains("host:port", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ManagementUriNotHttp_NamesTheKeyAndIndex()
    {
        var options = new RabbitMqOptions { ConnectionString = "amqp://rabbit/" };
        options.ManagementUris.Add(new Uri("ftp://rabbit/"));

        Assert.Equal(["Pipeline:RabbitMq:ManagementUris:0 is not an absolute http:// or https:// URI."], options.Validate());
    }

    [Fact]
    public void ManagementEndpoints_ClusterWithoutManagementSetting_IsPort15672OnEachNode()
    {
        var options = new RabbitMqOptions { ConnectionString = "amqp://rabbit/" };
        options.Endpoints.Add("rabbit-1:5672");
        options.Endpoints.Add("rabbit-2:5672");

        Assert.Equal([new Uri("http://rabbit-1:15672/"), new Uri("http://rabbit-2:15672/")], options.ManagementEndpoints);
    }

    [Fact]
    public void ManagementEndpoints_ManagementUrisSet_AreUsedInOrderWithTrailingSlash()
    {
        var options = new RabbitMqOptions { ConnectionString = "amqp://rabbit/", ManagementUri = new Uri("http://single/") };
        options.ManagementUris.Add(new Uri("http://a:1"));
        options.ManagementUris.Add(new Uri("http://b:2/"));

        Assert.Equal([new Uri("http://a:1/"), new Uri("http://b:2/")], options.ManagementEndpoints);
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

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.500")]
    [InlineData("00:00:01.500")]
    [InlineData("00:10:01")]
    public void Validate_HeartbeatNotWholeSecondsInRange_NamesTheKeyAndTheRange(string value)
    {
        var options = new RabbitMqOptions { ConnectionString = "amqp://rabbit/", Heartbeat = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) };

        var error = Assert.Single(options.Validate());

        Assert.Contains("Pipeline:RabbitMq:Heartbeat", error, StringComparison.Ordinal);
        Assert.Contains("whole seconds between 00:00:01 and 00:10:00", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:01")]
    [InlineData("00:00:02")]
    [InlineData("00:10:00")]
    public void Validate_HeartbeatInRange_IsAccepted(string value) =>
        Assert.Empty(new RabbitMqOptions { ConnectionString = "amqp://rabbit/", Heartbeat = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) }.Validate());

    [Fact]
    public void Heartbeat_Default_Is60SecondsAsMassTransitAsksWithoutTheSetting() => Assert.Equal(TimeSpan.FromSeconds(60), new RabbitMqOptions().Heartbeat);
}
