using Pipeline.WorkerHost.Retries;

namespace Pipeline.WorkerHost.Tests.Retries;

public sealed class DurableRetrySchedulerTests
{
    [Theory]
    [InlineData("2026-11-22T10:00:00.0000000+00:00", "2026-11-22T10:00:00.0000000+00:00")]
    [InlineData("2026-11-22T10:00:00.0000001+00:00", "2026-11-22T10:00:01.0000000+00:00")]
    [InlineData("2026-11-22T10:00:00.9990000+00:00", "2026-11-22T10:00:01.0000000+00:00")]
    [InlineData("2026-11-22T23:59:59.5000000+00:00", "2026-11-23T00:00:00.0000000+00:00")]
    public void DueAt_RoundsUpToTheWholeSecond_SoARetryIsNeverEarly(string exact, string expected)
    {
        var due = DurableRetryScheduler.DueAt(DateTimeOffset.Parse(exact, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), due);
    }

    [Theory]
    [InlineData("", "Pipeline:Retries:Schema")]
    [InlineData("1abc", "Pipeline:Retries:Schema")]
    public void Validate_BadSchema_NamesTheKey(string schema, string key)
    {
        var errors = new RetryOptions { Schema = schema }.Validate();

        Assert.Contains(errors, e => e.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_PollIntervalAndWorkersOutOfRange_NameTheirKeys()
    {
        var errors = new RetryOptions { PollInterval = TimeSpan.FromMinutes(5), Workers = 0 }.Validate();

        Assert.Contains(errors, e => e.Contains("Pipeline:Retries:PollInterval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Pipeline:Retries:Workers", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(new RetryOptions().Validate());
}
