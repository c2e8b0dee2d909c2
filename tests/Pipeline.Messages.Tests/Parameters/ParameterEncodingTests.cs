using Pipeline.Messages.Parameters;

namespace Pipeline.Messages.Tests.Parameters;

public sealed class ParameterEncodingTests
{
    [Fact]
    public void Encode_WorkedExampleFromSpec_MatchesSpecBytes()
    {
        var encoded = ParameterEncoding.Encode(
        [
            new("size", ParameterValue.FromInt(7)),
            new("name", ParameterValue.FromString("llama")),
        ]);

        Assert.Equal("017300046e616d65000000056c6c616d6169000473697a650000000000000007", Convert.ToHexStringLower(encoded));
        Assert.Equal("1afebbb23ff04cd4563c701958bbbc65ad8b0553ff1da50181f822896a38a0e3", ParameterEncoding.Hash(encoded));
    }

    [Fact]
    public void Encode_Nothing_IsVersionByte()
    {
        Assert.Equal(new byte[] { ParameterEncoding.Version }, ParameterEncoding.Encode([]));
        Assert.Equal(0x01, ParameterEncoding.Version);
    }

    [Fact]
    public void Encode_EachType_WritesTagLengthsAndBigEndianValue()
    {
        Assert.Equal("0162000161" + "01", Convert.ToHexStringLower(ParameterEncoding.Encode([new("a", ParameterValue.FromBool(true))])));
        Assert.Equal("0169000161" + "ffffffffffffff00", Convert.ToHexStringLower(ParameterEncoding.Encode([new("a", ParameterValue.FromInt(-256))])));
        Assert.Equal("0179000161" + "00000002" + "00ff", Convert.ToHexStringLower(ParameterEncoding.Encode([new("a", ParameterValue.FromBytes([0x00, 0xff]))])));
        Assert.Equal("0173000161" + "00000002" + "c3a9", Convert.ToHexStringLower(ParameterEncoding.Encode([new("a", ParameterValue.FromString("\u00e9"))])));
    }

    [Fact]
    public void Encode_NamesOutsideBmp_SortedByUtf8BytesNotUtf16()
    {
        // U+FB01 is ef ac 81 in UTF-8 and sorts first; U+1F600 (f0 9f 98 80) sorts first in UTF-16 (d83d < fb01).
        var encoded = ParameterEncoding.Encode(
        [
            new("\U0001F600", ParameterValue.FromBool(true)),
            new("\uFB01", ParameterValue.FromBool(false)),
        ]);

        Assert.Equal("01" + "620003efac81" + "00" + "620004f09f9880" + "01", Convert.ToHexStringLower(encoded));
    }

    [Fact]
    public void Encode_DuplicateName_ThrowsParameterException()
    {
        Assert.Throws<ParameterException>(() => ParameterEncoding.Encode(
            [new("a", ParameterValue.FromInt(1)), new("a", ParameterValue.FromBool(true))]));
    }

    [Fact]
    public void Encode_NameWithLoneSurrogate_ThrowsParameterException()
    {
        Assert.Throws<ParameterException>(() => ParameterEncoding.Encode([new("a\ud800", ParameterValue.FromInt(1))]));
    }

    [Theory]
    [InlineData(ParameterType.String, (byte)'s')]
    [InlineData(ParameterType.Int, (byte)'i')]
    [InlineData(ParameterType.Bool, (byte)'b')]
    [InlineData(ParameterType.Bytes, (byte)'y')]
    public void Tag_EachType_IsSpecLetter(ParameterType type, byte tag)
    {
        Assert.Equal(tag, ParameterEncoding.Tag(type));
    }

    [Fact]
    public void Tag_UnknownType_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterEncoding.Tag((ParameterType)42));
    }
}
