using System.Text.Json;
using Pipeline.Messages.Invocations;

namespace Pipeline.Messages.Tests.Invocations;

public sealed class RunInvocationTests
{
    [Fact]
    public void Deserialize_PublisherOmitsAttempt_AttemptIsOne()
    {
        var message = JsonSerializer.Deserialize<RunInvocation>(
            """{"callId": "fc-0123456789abcdef0123456789abcdef", "app": "inference", "function": "nightly-report"}""",
            PayloadJson.Options)!;

        Assert.Equal(1, message.Attempt);
        Assert.False(message.StoreResult);
        Assert.Null(message.Class);
        Assert.Null(message.Parameters);
    }

    [Fact]
    public void Deserialize_MissingRequiredCallId_Throws()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RunInvocation>(
            """{"app": "inference", "function": "nightly-report"}""",
            PayloadJson.Options));
    }

    [Fact]
    public void Serialize_ClassCall_RoundTripsParametersAndArguments()
    {
        using var parameters = JsonDocument.Parse("""{"name":"llama","size":7}""");
        using var args = JsonDocument.Parse("""["hello"]""");
        var message = new RunInvocation
        {
            CallId = "fc-0123456789abcdef0123456789abcdef",
            App = "inference",
            Class = "model",
            Function = "generate",
            Parameters = parameters.RootElement,
            Args = args.RootElement,
            Attempt = 2,
            StoreResult = true,
            SentAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
        };

        var json = JsonSerializer.Serialize(message, PayloadJson.Options);
        var back = JsonSerializer.Deserialize<RunInvocation>(json, PayloadJson.Options)!;

        Assert.Contains("\"callId\":", json, StringComparison.Ordinal);
        Assert.Equal(message.CallId, back.CallId);
        Assert.Equal("model", back.Class);
        Assert.Equal(2, back.Attempt);
        Assert.True(back.StoreResult);
        Assert.Equal(message.SentAt, back.SentAt);
        Assert.Equal("""{"name":"llama","size":7}""", back.Parameters!.Value.GetRawText());
        Assert.Equal("""["hello"]""", back.Args!.Value.GetRawText());
    }
}
