using System.Text.Json;
using Pipeline.Messages.Invocations;

namespace Pipeline.Messages.Tests.Invocations;

/// <summary><c>terminateContainers</c> is optional on the wire: cancels without it read and write as before.</summary>
public sealed class CancelInvocationTests
{
    [Fact]
    public void Deserialize_PublisherOmitsTerminateContainers_ReadsFalse()
    {
        var cancel = JsonSerializer.Deserialize<CancelInvocation>("""{"callId": "fc-0123456789abcdef0123456789abcdef"}""", PayloadJson.Options)!;

        Assert.False(cancel.TerminateContainers);
    }

    [Fact]
    public void Deserialize_TerminateContainersTrue_ReadsTrue()
    {
        var cancel = JsonSerializer.Deserialize<CancelInvocation>(
            """{"callId": "fc-0123456789abcdef0123456789abcdef", "terminateContainers": true}""",
            PayloadJson.Options)!;

        Assert.True(cancel.TerminateContainers);
    }

    [Fact]
    public void Serialize_WithoutTerminate_WritesOnlyTheCallIdAsBefore()
    {
        var json = JsonSerializer.Serialize(new CancelInvocation { CallId = "fc-1" }, PayloadJson.Options);

        Assert.Equal("""{"callId":"fc-1"}""", json);
        Assert.Contains("\"terminateContainers\":true", JsonSerializer.Serialize(new CancelInvocation { CallId = "fc-1", TerminateContainers = true }, PayloadJson.Options), StringComparison.Ordinal);
    }
}
