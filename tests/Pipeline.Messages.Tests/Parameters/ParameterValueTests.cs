using System.Globalization;
using Pipeline.Messages.Parameters;

namespace Pipeline.Messages.Tests.Parameters;

public sealed class ParameterValueTests
{
    [Fact]
    public void Equals_BytesWithSameContent_AreEqualWithSameHashCode()
    {
        var first = ParameterValue.FromBytes([1, 2, 3]);
        var second = ParameterValue.FromBytes(new byte[] { 1, 2, 3 });

        Assert.True(first.Equals(second));
        Assert.True(first.Equals((object)second));
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Fact]
    public void Equals_BytesWithDifferentContent_AreNotEqual()
    {
        Assert.NotEqual(ParameterValue.FromBytes([1, 2, 3]), ParameterValue.FromBytes([1, 2, 4]));
        Assert.NotEqual(ParameterValue.FromBytes([1, 2, 3]), ParameterValue.FromBytes([1, 2]));
    }

    [Fact]
    public void Equals_SameContentDifferentType_AreNotEqual()
    {
        Assert.NotEqual(ParameterValue.FromString("llama"), ParameterValue.FromBytes("llama"u8));
        Assert.NotEqual(ParameterValue.FromInt(1), ParameterValue.FromBool(true));
        Assert.NotEqual(ParameterValue.FromString("7"), ParameterValue.FromInt(7));
    }

    [Fact]
    public void Equals_ScalarsWithSameValue_AreEqualWithSameHashCode()
    {
        Assert.Equal(ParameterValue.FromString("llama"), ParameterValue.FromString("llama"));
        Assert.Equal(ParameterValue.FromInt(long.MinValue), ParameterValue.FromInt(long.MinValue));
        Assert.Equal(ParameterValue.FromBool(false), ParameterValue.FromBool(false));
        Assert.Equal(ParameterValue.FromInt(7).GetHashCode(), ParameterValue.FromInt(7).GetHashCode());
        Assert.Equal(ParameterValue.FromString("llama").GetHashCode(), ParameterValue.FromString("llama").GetHashCode());
    }

    [Fact]
    public void Equals_ScalarsWithDifferentValue_AreNotEqual()
    {
        Assert.NotEqual(ParameterValue.FromString("llama"), ParameterValue.FromString("Llama"));
        Assert.NotEqual(ParameterValue.FromInt(7), ParameterValue.FromInt(8));
        Assert.NotEqual(ParameterValue.FromBool(true), ParameterValue.FromBool(false));
        Assert.False(ParameterValue.FromInt(7).Equals(null));
        Assert.False(ParameterValue.FromInt(7).Equals((object)7L));
    }

    [Fact]
    public void Equals_InHashSet_BytesDeduplicatedByContent()
    {
        var set = new HashSet<ParameterValue> { ParameterValue.FromBytes([1, 2, 3]), ParameterValue.FromBytes([1, 2, 3]) };

        Assert.Single(set);
        Assert.Contains(ParameterValue.FromBytes([1, 2, 3]), set);
    }

    [Fact]
    public void AsString_OnInt_ThrowsInvalidOperationNamingBothTypes()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ParameterValue.FromInt(7).AsString());

        Assert.Contains("Int", error.Message, StringComparison.Ordinal);
        Assert.Contains("String", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AsInt_OnString_ThrowsInvalidOperation()
    {
        Assert.Throws<InvalidOperationException>(() => ParameterValue.FromString("7").AsInt());
    }

    [Fact]
    public void AsBool_OnInt_ThrowsInvalidOperation()
    {
        Assert.Throws<InvalidOperationException>(() => ParameterValue.FromInt(1).AsBool());
    }

    [Fact]
    public void AsBytes_OnString_ThrowsInvalidOperation()
    {
        Assert.Throws<InvalidOperationException>(() => ParameterValue.FromString("AQID").AsBytes().Length);
    }

    [Fact]
    public void As_MatchingType_ReturnsContent()
    {
        Assert.Equal("llama", ParameterValue.FromString("llama").AsString());
        Assert.Equal(long.MaxValue, ParameterValue.FromInt(long.MaxValue).AsInt());
        Assert.True(ParameterValue.FromBool(true).AsBool());
        Assert.Equal(new byte[] { 0, 255 }, ParameterValue.FromBytes([0, 255]).AsBytes().ToArray());
    }

    [Fact]
    public void Value_Bytes_ReturnsCopyThatDoesNotChangeTheValue()
    {
        var value = ParameterValue.FromBytes([1, 2, 3]);

        var copy = Assert.IsType<byte[]>(value.Value);
        copy[0] = 99;

        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.IsType<byte[]>(value.Value));
        Assert.Equal(new byte[] { 1, 2, 3 }, value.AsBytes().ToArray());
        Assert.Equal(ParameterValue.FromBytes([1, 2, 3]), value);
    }

    [Fact]
    public void FromBytes_SourceChangedAfterwards_ValueUnchanged()
    {
        byte[] source = [1, 2, 3];
        var value = ParameterValue.FromBytes(source);

        source[0] = 99;

        Assert.Equal(new byte[] { 1, 2, 3 }, value.AsBytes().ToArray());
    }

    [Fact]
    public void Value_Scalars_ReturnClrObjects()
    {
        Assert.Equal("llama", ParameterValue.FromString("llama").Value);
        Assert.Equal(7L, ParameterValue.FromInt(7).Value);
        Assert.Equal(true, ParameterValue.FromBool(true).Value);
    }

    [Fact]
    public void Type_EachFactory_SetsMatchingType()
    {
        Assert.Equal(ParameterType.String, ParameterValue.FromString("x").Type);
        Assert.Equal(ParameterType.Int, ParameterValue.FromInt(1).Type);
        Assert.Equal(ParameterType.Bool, ParameterValue.FromBool(true).Type);
        Assert.Equal(ParameterType.Bytes, ParameterValue.FromBytes([]).Type);
    }

    [Fact]
    public void FromString_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => ParameterValue.FromString(null!));
    }

    [Theory]
    [InlineData(-1234567890123L, "-1234567890123")]
    [InlineData(0L, "0")]
    [InlineData(long.MaxValue, "9223372036854775807")]
    public void ToString_Int_InvariantDigits(long value, string expected)
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("ar-SA");
            Assert.Equal(expected, ParameterValue.FromInt(value).ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void ToString_BytesAndBool_LengthOnlyAndLowercaseBool()
    {
        Assert.Equal("<3 bytes>", ParameterValue.FromBytes([1, 2, 3]).ToString());
        Assert.Equal("true", ParameterValue.FromBool(true).ToString());
        Assert.Equal("false", ParameterValue.FromBool(false).ToString());
        Assert.Equal("llama", ParameterValue.FromString("llama").ToString());
    }
}
