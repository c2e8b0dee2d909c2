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
    public void Deserialize_StoreResultAndAttemptNull_ReadAsAbsent()
    {
        var message = JsonSerializer.Deserialize<RunInvocation>(
            """{"callId": "fc-0123456789abcdef0123456789abcdef", "app": "inference", "function": "nightly-report", "storeResult": null, "attempt": null}""",
            PayloadJson.Options)!;

        Assert.Equal(1, message.Attempt);
        Assert.False(message.StoreResult);
    }

    [Fact]
    public void Deserialize_ChunkInputAttemptNull_ReadsAsFirstAttempt()
    {
        var chunk = JsonSerializer.Deserialize<RunInvocationChunk>(
            """{"app": "a", "function": "f", "inputs": [{"callId": "fc-0123456789abcdef0123456789abcdef", "attempt": null}, {"callId": "fc-0123456789abcdef0123456789abcde0", "attempt": 3}]}""",
            PayloadJson.Options)!;

        Assert.Equal(1, chunk.Inputs[0].Attempt);
        Assert.Equal(3, chunk.Inputs[1].Attempt);
    }

    [Theory]
    [InlineData("\"storeResult\": \"yes\"")]
    [InlineData("\"attempt\": \"2\"")]
    [InlineData("\"attempt\": 1.5")]
    public void Deserialize_StoreResultOrAttemptOfTheWrongKind_Throws(string field) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RunInvocation>(
            $$"""{"callId": "fc-0123456789abcdef0123456789abcdef", "app": "a", "function": "f", {{field}}}""",
            PayloadJson.Options));

    [Fact]
    public void Serialize_StoreResultAndAttempt_WrittenAsBoolAndNumber()
    {
        var json = JsonSerializer.Serialize(new RunInvocation { CallId = "fc-0123456789abcdef0123456789abcdef", App = "a", Function = "f", Attempt = 2, StoreResult = true }, PayloadJson.Options);

        Assert.Contains("\"attempt\":2", json, StringComparison.Ordinal);
        Assert.Contains("\"storeResult\":true", json, StringComparison.Ordinal);
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
