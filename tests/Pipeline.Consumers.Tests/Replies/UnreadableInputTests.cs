using System.Text;
using Pipeline.Consumers.Replies;

namespace Pipeline.Consumers.Tests.Replies;

public sealed class UnreadableInputTests
{
    private const string Reply = "rabbitmq://127.0.0.1/replies?temporary=true";
    private const string Run = "urn:message:Pipeline.Messages.Invocations:RunInvocation";
    private const string Chunk = "urn:message:Pipeline.Messages.Invocations:RunInvocationChunk";

    [Fact]
    public void Read_MalformedJson_SaysItIsNotJsonWithNoAddress()
    {
        var input = Read("""{"messageId": """);

        Assert.StartsWith("The message is not JSON", input.Reason, StringComparison.Ordinal);
        Assert.Null(input.ResponseAddress);
    }

    [Theory]
    [InlineData("""{"hello":"world"}""", "it has no \"message\" object")]
    [InlineData("""{"message":null}""", "its \"message\" is null, not an object")]
    [InlineData("""{"message":[1]}""", "its \"message\" is an array, not an object")]
    [InlineData("""[1,2]""", "JSON an array, not a MassTransit envelope")]
    public void Read_NoEnvelope_SaysWhatIsMissing(string body, string reason) =>
        Assert.Contains(reason, Read(body).Reason, StringComparison.Ordinal);

    [Fact]
    public void Read_RunInvocationWithoutCallId_SaysSoAndKeepsTheReplyAddressAndRequestId()
    {
        var requestId = Guid.NewGuid();

        var input = Read($$$"""{"requestId":"{{{requestId}}}","responseAddress":"{{{Reply}}}","messageType":["{{{Run}}}"],"message":{"app":"a","function":"f"}}""");

        Assert.Contains("has no call id", input.Reason, StringComparison.Ordinal);
        Assert.Equal(new Uri(Reply), input.ResponseAddress);
        Assert.Equal(requestId, input.RequestId);
        Assert.False(input.IsChunk);
        Assert.Empty(input.CallIds);
    }

    [Theory]
    [InlineData("\"app\":null", "The input has no \"app\"")]
    [InlineData("\"app\":\"a\"", "The input has no \"function\"")]
    [InlineData("\"app\":\"a\",\"function\":\"f\",\"args\":{}", "The input's \"args\" is an object, not an array")]
    [InlineData("\"app\":\"a\",\"function\":\"f\",\"storeResult\":\"yes\"", "The input's \"storeResult\" is a string, not true or false")]
    [InlineData("\"app\":\"a\",\"function\":\"f\",\"attempt\":1.5", "The input's \"attempt\" is 1.5, not a whole number")]
    [InlineData("\"app\":7,\"function\":\"f\"", "The input's \"app\" is a number, not a string")]
    public void Read_RunInvocationFieldMissingOrOfTheWrongKind_NamesTheField(string fields, string reason)
    {
        var input = Read($$$"""{"responseAddress":"{{{Reply}}}","messageType":["{{{Run}}}"],"message":{"callId":"fc-0123456789abcdef0123456789abcdef",""" + fields + "}}");

        Assert.Contains(reason, input.Reason, StringComparison.Ordinal);
        Assert.Equal(["fc-0123456789abcdef0123456789abcdef"], input.CallIds);
    }

    [Fact]
    public void Read_ChunkWithoutApp_NamesTheFieldAndEveryCallIdInOrder()
    {
        var input = Read($$$"""{"responseAddress":"{{{Reply}}}","messageType":["{{{Chunk}}}"],"message":{"function":"f","inputs":[{"callId":"fc-1"},{"args":[]},{"callId":"fc-3"}]}}""");

        Assert.True(input.IsChunk);
        Assert.Contains("The chunk has no \"app\"", input.Reason, StringComparison.Ordinal);
        Assert.Equal(["fc-1", "", "fc-3"], input.CallIds);
    }

    [Fact]
    public void Read_ChunkWithoutInputs_SaysSo() =>
        Assert.Contains("The chunk has no \"inputs\"", Read($$$"""{"messageType":["{{{Chunk}}}"],"message":{"app":"a","function":"f"}}""").Reason, StringComparison.Ordinal);

    [Fact]
    public void Read_NothingWrongFound_FallsBackToTheInnermostError()
    {
        var input = UnreadableInput.Read(Encoding.UTF8.GetBytes($$$"""{"messageType":["{{{Run}}}"],"message":{"callId":"fc-0123456789abcdef0123456789abcdef","app":"a","function":"f"}}"""), new InvalidOperationException("outer", new FormatException("the real cause")));

        Assert.Equal("The input could not be read: the real cause", input.Reason);
    }

    private static UnreadableInput Read(string body) => UnreadableInput.Read(Encoding.UTF8.GetBytes(body), null);
}
