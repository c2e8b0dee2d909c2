using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Pipeline.Messages.Parameters;

namespace Pipeline.Messages.Tests.Parameters;

public sealed class ParameterSetTests
{
    // One string parameter named "big": version (1) + tag (1) + name length (2) + "big" (3) + value length (4).
    private const int OverheadOfOneStringNamedBig = 11;

    [Fact]
    public void Create_EncodingExactly16KiB_IsAccepted()
    {
        var value = new string('a', ParameterEncoding.MaxEncodedBytes - OverheadOfOneStringNamedBig);

        var set = ParameterSet.Create([new("big", ParameterValue.FromString(value))]);

        Assert.Equal(16384, set.Encoded.Length);
    }

    [Fact]
    public void Create_EncodingOneByteOver16KiB_ThrowsWithLimitAndActualSize()
    {
        var value = new string('a', ParameterEncoding.MaxEncodedBytes - OverheadOfOneStringNamedBig + 1);

        var error = Assert.Throws<ParameterException>(() => ParameterSet.Create([new("big", ParameterValue.FromString(value))]));

        Assert.Contains("16 KiB", error.Message, StringComparison.Ordinal);
        Assert.Contains("16384", error.Message, StringComparison.Ordinal);
        Assert.Contains("16385", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_MultiByteCharactersOverLimit_CountsUtf8Bytes()
    {
        // 5462 three-byte characters are 16386 UTF-8 bytes but only 5462 UTF-16 chars.
        var value = new string('\u6a21', 5462);

        var error = Assert.Throws<ParameterException>(() => ParameterSet.Create([new("big", ParameterValue.FromString(value))]));

        Assert.Contains((OverheadOfOneStringNamedBig + (5462 * 3)).ToString(CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_LargeBytesOverLimit_Throws()
    {
        var value = new byte[ParameterEncoding.MaxEncodedBytes];

        Assert.Throws<ParameterException>(() => ParameterSet.Create([new("seed", ParameterValue.FromBytes(value))]));
    }

    [Fact]
    public void Create_SameNameTwice_ThrowsGivenTwice()
    {
        var error = Assert.Throws<ParameterException>(() => ParameterSet.Create(
            [new("name", ParameterValue.FromString("llama")), new("name", ParameterValue.FromString("mistral"))]));

        Assert.Contains("'name'", error.Message, StringComparison.Ordinal);
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EmptyName_Throws()
    {
        Assert.Throws<ParameterException>(() => ParameterSet.Create([new(string.Empty, ParameterValue.FromInt(1))]));
    }

    [Fact]
    public void Create_GivenOutOfOrder_ValuesInUtf8ByteOrderOfNames()
    {
        var set = ParameterSet.Create(
        [
            new("size", ParameterValue.FromInt(7)),
            new("\U0001F600", ParameterValue.FromInt(2)),
            new("\uFB01", ParameterValue.FromInt(1)),
            new("name", ParameterValue.FromString("llama")),
            new("B", ParameterValue.FromBool(true)),
        ]);

        Assert.Equal(["B", "name", "size", "\uFB01", "\U0001F600"], set.Values.Select(v => v.Key));
    }

    [Fact]
    public void Create_SameValuesInAnyOrder_SameHash()
    {
        var first = ParameterSet.Create([new("name", ParameterValue.FromString("llama")), new("size", ParameterValue.FromInt(7))]);
        var second = ParameterSet.Create([new("size", ParameterValue.FromInt(7)), new("name", ParameterValue.FromString("llama"))]);

        Assert.Equal(first.Hash, second.Hash);
        Assert.Equal("1afebbb23ff04cd4563c701958bbbc65ad8b0553ff1da50181f822896a38a0e3", first.Hash);
        Assert.Equal("1afebbb23ff04cd4", first.PoolId);
    }

    [Fact]
    public void Create_StringAndBytesWithSameContent_DifferentPools()
    {
        var text = ParameterSet.Create([new("v", ParameterValue.FromString("llama"))]);
        var bytes = ParameterSet.Create([new("v", ParameterValue.FromBytes("llama"u8))]);

        Assert.NotEqual(text.PoolId, bytes.PoolId);
    }

    [Fact]
    public void Create_StringWithLoneSurrogate_ThrowsParameterException()
    {
        Assert.Throws<ParameterException>(() => ParameterSet.Create([new("name", ParameterValue.FromString("bad\ud800"))]));
    }

    [Fact]
    public void Empty_Always_EncodesToVersionByteOnly()
    {
        Assert.Equal(new byte[] { 0x01 }, ParameterSet.Empty.Encoded.ToArray());
        Assert.Equal(0, ParameterSet.Empty.Count);
        Assert.Equal("4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a", ParameterSet.Empty.Hash);
        Assert.Equal(ParameterSet.Create([]).Hash, ParameterSet.Empty.Hash);
    }

    [Fact]
    public void Hash_AnySet_IsLowercaseHexSha256AndPoolIdIsItsPrefix()
    {
        var set = ParameterSet.Create([new("seed", ParameterValue.FromBytes([0xde, 0xad, 0xbe, 0xef]))]);

        Assert.Matches("^[0-9a-f]{64}$", set.Hash);
        Assert.Equal(set.Hash[..16], set.PoolId);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(set.Encoded.Span)), set.Hash);
    }

    [Fact]
    public void TryGetValue_ExactWireName_FindsValueAndOtherCaseDoesNot()
    {
        var set = ParameterSet.Create([new("name", ParameterValue.FromString("llama"))]);

        Assert.True(set.TryGetValue("name", out var value));
        Assert.Equal(ParameterValue.FromString("llama"), value);
        Assert.False(set.TryGetValue("Name", out _));
        Assert.False(set.TryGetValue("size", out _));
    }

    [Fact]
    public void ToJson_SimpleSet_IsWireObjectInCanonicalOrder()
    {
        var set = ParameterSet.Create(
        [
            new("size", ParameterValue.FromInt(7)),
            new("seed", ParameterValue.FromBytes([1, 2, 3])),
            new("name", ParameterValue.FromString("llama")),
            new("stream", ParameterValue.FromBool(true)),
        ]);

        Assert.Equal("""{"name":"llama","seed":"AQID","size":7,"stream":true}""", set.ToJson());
    }

    [Fact]
    public void ToJson_ThroughBindJson_SameHash()
    {
        var schema = new ParameterSchema(
            "inference.model",
            [
                new ParameterSpec("name", ParameterType.String),
                new ParameterSpec("size", ParameterType.Int),
                new ParameterSpec("stream", ParameterType.Bool),
                new ParameterSpec("seed", ParameterType.Bytes),
                new ParameterSpec("empty", ParameterType.Bytes),
                new ParameterSpec("\u6a21\u578b", ParameterType.String),
            ]);
        var set = ParameterSet.Create(
        [
            new("name", ParameterValue.FromString("caf\u00e9 \U0001F680 \"quoted\" <tag> \\ \n")),
            new("size", ParameterValue.FromInt(long.MinValue)),
            new("stream", ParameterValue.FromBool(false)),
            new("seed", ParameterValue.FromBytes([0x00, 0xff, 0x00, 0x7f, 0x80, 0xff])),
            new("empty", ParameterValue.FromBytes([])),
            new("\u6a21\u578b", ParameterValue.FromString("llama")),
        ]);
        using var json = JsonDocument.Parse(set.ToJson());

        var bound = schema.BindJson(json.RootElement);

        Assert.Equal(set.Hash, bound.Hash);
        Assert.Equal(set.Values, bound.Values);
    }

    [Fact]
    public void WriteJson_ToWriter_SameAsToJson()
    {
        var set = ParameterSet.Create([new("name", ParameterValue.FromString("llama")), new("size", ParameterValue.FromInt(7))]);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            set.WriteJson(writer);
        }

        Assert.Equal(set.ToJson(), Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void ToString_NameAndSize_ReadableInCanonicalOrder()
    {
        var set = ParameterSet.Create([new("size", ParameterValue.FromInt(7)), new("name", ParameterValue.FromString("llama"))]);

        Assert.Equal("name=llama, size=7", set.ToString());
    }

    [Fact]
    public void ToString_BytesAndBool_ShowsLengthNotContent()
    {
        var set = ParameterSet.Create(
        [
            new("secret", ParameterValue.FromBytes("hunter2"u8)),
            new("stream", ParameterValue.FromBool(true)),
        ]);

        var text = set.ToString();

        Assert.Equal("secret=<7 bytes>, stream=true", text);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String("hunter2"u8), text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_Empty_IsEmpty()
    {
        Assert.Equal(string.Empty, ParameterSet.Empty.ToString());
    }
}
