using System.Text.Json;
using Pipeline.Messages.Parameters;

namespace Pipeline.Messages.Tests.Parameters;

/// <summary>
/// A value that cannot bind to the declared type is refused where it enters (client, CLI, gateway, host), before it is
/// hashed into a pool: a C# <c>int</c> parameter takes only 32-bit values, whichever way the value comes.
/// </summary>
public sealed class ParameterRangeTests
{
    private const string Int32Range = "int (a whole number from -2147483648 to 2147483647)";

    private readonly ParameterSchema _model = new(
        "inference.model",
        [
            ParameterSpec.ForInt("size", ParameterValue.FromInt(100)),
            new ParameterSpec("tokens", ParameterType.Int, ParameterValue.FromInt(0)),
            new ParameterSpec("stream", ParameterType.Bool, ParameterValue.FromBool(false)),
            new ParameterSpec("seed", ParameterType.Bytes, ParameterValue.FromBytes([])),
            new ParameterSpec("name", ParameterType.String, ParameterValue.FromString("llama")),
        ]);

    public static TheoryData<object> OutOfInt32 => new()
    {
        3_000_000_000L,
        -3_000_000_000L,
        3_000_000_000u,
        3_000_000_000ul,
        ulong.MaxValue,
        long.MaxValue,
        ParameterValue.FromInt(3_000_000_000),
    };

    [Theory]
    [MemberData(nameof(OutOfInt32))]
    public void Bind_IntParameterOutOfRange_ThrowsNamingParameterTypeAndRange(object value)
    {
        var error = Assert.Throws<ParameterException>(() => _model.Bind([new("size", value)]));

        Assert.Contains("'size' of inference.model expects " + Int32Range, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3000000000")]
    [InlineData("-2147483649")]
    [InlineData("1e20")]
    [InlineData("9223372036854775808")]
    public void BindJson_IntParameterOutOfRange_ThrowsNamingParameterTypeAndRange(string number)
    {
        using var document = JsonDocument.Parse($$"""{"size": {{number}}}""");

        var error = Assert.Throws<ParameterException>(() => _model.BindJson(document.RootElement));

        Assert.Contains("'size' of inference.model expects " + Int32Range + ", got " + number, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Bind_IntParameterAtItsLimits_Binds(long value)
    {
        var set = _model.Bind([new("size", value)]);

        Assert.True(set.TryGetValue("size", out var bound));
        Assert.Equal(value, bound.AsInt());
    }

    [Fact]
    public void Bind_LongParameterPastInt32_Binds()
    {
        var set = _model.Bind([new("tokens", 3_000_000_000L)]);

        Assert.True(set.TryGetValue("tokens", out var bound));
        Assert.Equal(3_000_000_000L, bound.AsInt());
    }

    [Theory]
    [InlineData("size", "7", "7")]
    [InlineData("size", "-2147483648", "-2147483648")]
    [InlineData("tokens", "3000000000", "3000000000")]
    [InlineData("stream", "true", "true")]
    [InlineData("stream", "False", "false")]
    [InlineData("seed", "AQID", "<3 bytes>")]
    [InlineData("seed", "aGk", "<2 bytes>")]
    [InlineData("seed", "-_8", "<2 bytes>")]
    [InlineData("name", "mistral 7b", "mistral 7b")]
    [InlineData("SIZE", "7", "7")]
    public void ParseText_ValueOfTheDeclaredType_ReadsIt(string name, string text, string expected)
    {
        Assert.Equal(expected, _model.ParseText(name, text).ToString());
    }

    [Theory]
    [InlineData("size", "3000000000", Int32Range)]
    [InlineData("size", "-2147483649", Int32Range)]
    [InlineData("size", "7.5", Int32Range)]
    [InlineData("size", "1e3", Int32Range)]
    [InlineData("size", "", Int32Range)]
    [InlineData("size", "seven", Int32Range)]
    [InlineData("tokens", "9223372036854775808", "long (a whole number from -9223372036854775808 to 9223372036854775807)")]
    [InlineData("stream", "yes", "bool (true or false)")]
    [InlineData("stream", "1", "bool (true or false)")]
    [InlineData("seed", "not base64!", "byte[] (base64 text)")]
    public void ParseText_ValueNotOfTheDeclaredType_ThrowsNamingParameterTypeAndRange(string name, string text, string expected)
    {
        var error = Assert.Throws<ParameterException>(() => _model.ParseText(name, text));

        Assert.Contains($"'{name}' of inference.model expects {expected}, got '{text}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseText_UnknownName_ListsTheDeclaredParameters()
    {
        var error = Assert.Throws<ParameterException>(() => _model.ParseText("sise", "7"));

        Assert.Contains("no parameter 'sise'", error.Message, StringComparison.Ordinal);
        Assert.Contains("size (int), tokens (long), stream (bool), seed (byte[]), name (string)", error.Message, StringComparison.Ordinal);
    }
}
