using Pipeline.Consumers.Invocations;

namespace Pipeline.Consumers.Tests.Invocations;

public sealed class CallIdsTests
{
    [Theory]
    [InlineData("fc-0123456789abcdef0123456789abcdef")]
    [InlineData("fc-0123456789ABCDEF0123456789ABCDEF")]
    public void Problem_FcAnd32Hex_None(string callId) => Assert.Null(CallIds.Problem(callId));

    [Theory]
    [InlineData("hello")]
    [InlineData("fc-")]
    [InlineData("fc-0123456789abcdef0123456789abcde")]
    [InlineData("fc-0123456789abcdef0123456789abcdef0")]
    [InlineData("fc-0123456789abcdef0123456789abcdeg")]
    [InlineData("FC-0123456789abcdef0123456789abcdef")]
    [InlineData("")]
    public void Problem_NotFcAnd32Hex_SaysSoAndHowToMakeOne(string callId)
    {
        var problem = CallIds.Problem(callId);

        Assert.NotNull(problem);
        Assert.Contains($"'{callId}' is not fc- and 32 hex digits", problem, StringComparison.Ordinal);
        Assert.Contains("UUID", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_Null_SaysTheInputHasNone() =>
        Assert.Contains("has no call id", CallIds.Problem(null), StringComparison.Ordinal);
}
