using System.Text.Json;
using Pipeline.Messages.Parameters;

namespace Pipeline.Messages.Tests.Parameters;

public sealed class ParameterSchemaTests
{
    private readonly ParameterSchema _model = new(
        "inference.model",
        [
            new ParameterSpec("name", ParameterType.String),
            ParameterSpec.ForInt("size", ParameterValue.FromInt(100)),
            new ParameterSpec("stream", ParameterType.Bool, ParameterValue.FromBool(false)),
            new ParameterSpec("seed", ParameterType.Bytes, ParameterValue.FromBytes([])),
        ]);

    private readonly ParameterSchema _allDefaults = new(
        "inference.sized",
        [
            new ParameterSpec("size", ParameterType.Int, ParameterValue.FromInt(100)),
            new ParameterSpec("label", ParameterType.String, ParameterValue.FromString("small")),
        ]);

    public static TheoryData<string, object?, string> WrongClrTypes => new()
    {
        { "size", "7", "String" },
        { "size", 1.5, "Double" },
        { "size", true, "Boolean" },
        { "name", 7, "Int32" },
        { "name", null, "null" },
        { "stream", 1, "Int32" },
        { "stream", "true", "String" },
        { "seed", "AQID", "String" },
        { "seed", new[] { 1, 2, 3 }, "Int32[]" },
    };

    public static TheoryData<object> IntegerValues => new()
    {
        7,
        7L,
        (short)7,
        (byte)7,
        7u,
        ParameterValue.FromInt(7),
    };

    [Fact]
    public void Bind_DefaultOmitted_SameSetAsDefaultGivenExplicitly()
    {
        var omitted = _allDefaults.Bind([]);
        var given = _allDefaults.Bind([new("size", 100)]);

        Assert.Equal(given.Hash, omitted.Hash);
        Assert.Equal(given.PoolId, omitted.PoolId);
        Assert.Equal(2, omitted.Count);
        Assert.True(omitted.TryGetValue("size", out var size));
        Assert.Equal(100, size.AsInt());
        Assert.True(omitted.TryGetValue("label", out var label));
        Assert.Equal("small", label.AsString());
    }

    [Fact]
    public void Bind_NonDefaultValue_DifferentPoolFromDefault()
    {
        var omitted = _allDefaults.Bind([]);
        var other = _allDefaults.Bind([new("size", 101)]);

        Assert.NotEqual(omitted.PoolId, other.PoolId);
    }

    [Fact]
    public void Bind_ValuesGivenInAnyOrder_SameHash()
    {
        var first = _model.Bind([new("name", "llama"), new("size", 7), new("stream", true)]);
        var second = _model.Bind([new("stream", true), new("size", 7L), new("name", "llama")]);

        Assert.Equal(first.Hash, second.Hash);
        Assert.Equal(first.Encoded.ToArray(), second.Encoded.ToArray());
    }

    [Fact]
    public void Bind_NameInOtherCase_BindsToDeclaredName()
    {
        var exact = _model.Bind([new("name", "llama"), new("size", 7)]);
        var otherCase = _model.Bind([new("NAME", "llama"), new("Size", 7)]);

        Assert.Equal(exact.Hash, otherCase.Hash);
        Assert.True(otherCase.TryGetValue("name", out var name));
        Assert.Equal("llama", name.AsString());
        Assert.False(otherCase.TryGetValue("NAME", out _));
        Assert.DoesNotContain(otherCase.Values, v => v.Key == "Size");
    }

    [Fact]
    public void Bind_UnknownParameter_MessageNamesItAndListsDeclaredParameters()
    {
        var error = Assert.Throws<ParameterException>(() => _model.Bind([new("name", "llama"), new("temperature", 7)]));

        Assert.Contains("'temperature'", error.Message, StringComparison.Ordinal);
        Assert.Contains("inference.model", error.Message, StringComparison.Ordinal);
        Assert.Contains("name (string)", error.Message, StringComparison.Ordinal);
        Assert.Contains("size (int)", error.Message, StringComparison.Ordinal);
        Assert.Contains("stream (bool)", error.Message, StringComparison.Ordinal);
        Assert.Contains("seed (byte[])", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_AnyParameterOnSchemaWithoutParameters_MessageSaysNoneDeclared()
    {
        var schema = new ParameterSchema("inference.plain", []);

        var error = Assert.Throws<ParameterException>(() => schema.Bind([new("size", 7)]));

        Assert.Contains("'size'", error.Message, StringComparison.Ordinal);
        Assert.Contains("none", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_SchemaWithoutParameters_GivesEmptySet()
    {
        var schema = new ParameterSchema("inference.plain", []);

        var set = schema.Bind([]);

        Assert.Equal(0, set.Count);
        Assert.Equal(ParameterSet.Empty.Hash, set.Hash);
    }

    [Fact]
    public void Bind_MissingRequiredParameter_MessageNamesItAndItsType()
    {
        var error = Assert.Throws<ParameterException>(() => _model.Bind([new("size", 7)]));

        Assert.Contains("'name'", error.Message, StringComparison.Ordinal);
        Assert.Contains("(string)", error.Message, StringComparison.Ordinal);
        Assert.Contains("inference.model", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WrongClrTypes))]
    public void Bind_WrongClrType_ThrowsNamingParameterAndGivenType(string parameter, object? value, string givenType)
    {
        var given = new List<KeyValuePair<string, object?>> { new(parameter, value) };
        if (parameter != "name")
        {
            given.Add(new("name", "llama"));
        }

        var error = Assert.Throws<ParameterException>(() => _model.Bind(given));

        Assert.Contains($"'{parameter}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(givenType, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ParameterValueOfWrongType_Throws()
    {
        var error = Assert.Throws<ParameterException>(() => _model.Bind([new("name", ParameterValue.FromInt(7))]));

        Assert.Contains("'name'", error.Message, StringComparison.Ordinal);
        Assert.Contains("expects string", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(IntegerValues))]
    public void Bind_IntegerClrTypes_BindAsSameInt(object value)
    {
        var expected = _model.Bind([new("name", "llama"), new("size", 7L)]);

        var actual = _model.Bind([new("name", "llama"), new("size", value)]);

        Assert.Equal(expected.Hash, actual.Hash);
    }

    [Fact]
    public void Bind_LongBeyondInt32_KeepsFullValue()
    {
        // A long parameter (ParameterType.Int's full range); a C# int's is checked in ParameterRangeTests.
        var set = _allDefaults.Bind([new("size", long.MaxValue)]);

        Assert.True(set.TryGetValue("size", out var size));
        Assert.Equal(long.MaxValue, size.AsInt());
    }

    [Fact]
    public void Bind_BytesAsArrayOrMemory_SameAsBase64Json()
    {
        byte[] seed = [0x00, 0xff, 0x10];
        var fromArray = _model.Bind([new("name", "llama"), new("seed", seed)]);
        var fromMemory = _model.Bind([new("name", "llama"), new("seed", new ReadOnlyMemory<byte>(seed))]);
        using var json = JsonDocument.Parse("""{"name": "llama", "seed": "AP8Q"}""");

        var fromJson = _model.BindJson(json.RootElement);

        Assert.Equal(fromArray.Hash, fromMemory.Hash);
        Assert.Equal(fromArray.Hash, fromJson.Hash);
        Assert.True(fromJson.TryGetValue("seed", out var value));
        Assert.Equal(seed, value.AsBytes().ToArray());
    }

    [Fact]
    public void Bind_ArrayChangedAfterBinding_SetKeepsBoundValue()
    {
        byte[] seed = [1, 2, 3];
        var set = _model.Bind([new("name", "llama"), new("seed", seed)]);
        var hash = set.Hash;

        seed[0] = 99;

        Assert.True(set.TryGetValue("seed", out var value));
        Assert.Equal(new byte[] { 1, 2, 3 }, value.AsBytes().ToArray());
        Assert.Equal(hash, ParameterSet.Create(set.Values).Hash);
    }

    [Fact]
    public void Bind_SameParameterTwiceInDifferentCase_ThrowsGivenTwice()
    {
        var error = Assert.Throws<ParameterException>(() => _model.Bind([new("name", "llama"), new("Name", "mistral")]));

        Assert.Contains("'name'", error.Message, StringComparison.Ordinal);
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_StringWithLoneSurrogate_ThrowsParameterException()
    {
        Assert.Throws<ParameterException>(() => _model.Bind([new("name", "bad\ud800")]));
    }

    [Fact]
    public void Bind_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => _model.Bind(null!));
    }

    [Fact]
    public void BindJson_WireObject_SameAsClrValues()
    {
        var clr = _model.Bind([new("name", "llama"), new("size", 7), new("stream", true), new("seed", new byte[] { 1, 2, 3 })]);
        using var json = JsonDocument.Parse("""{"seed": "AQID", "stream": true, "size": 7, "name": "llama"}""");

        var wire = _model.BindJson(json.RootElement);

        Assert.Equal(clr.Hash, wire.Hash);
    }

    [Fact]
    public void BindJson_NameInOtherCase_BindsToDeclaredName()
    {
        using var json = JsonDocument.Parse("""{"Name": "llama", "SIZE": 7}""");

        var set = _model.BindJson(json.RootElement);

        Assert.Equal(_model.Bind([new("name", "llama"), new("size", 7)]).Hash, set.Hash);
    }

    [Theory]
    [InlineData("""{"name": "llama", "size": "7"}""", "size", "int")]
    [InlineData("""{"name": "llama", "size": 1.5}""", "size", "int")]
    [InlineData("""{"name": "llama", "size": 7.0}""", "size", "int")]
    [InlineData("""{"name": "llama", "size": 9223372036854775808}""", "size", "int")]
    [InlineData("""{"name": "llama", "size": true}""", "size", "int")]
    [InlineData("""{"name": "llama", "size": null}""", "size", "int")]
    [InlineData("""{"name": 7}""", "name", "string")]
    [InlineData("""{"name": ["llama"]}""", "name", "string")]
    [InlineData("""{"name": "llama", "stream": "true"}""", "stream", "bool")]
    [InlineData("""{"name": "llama", "stream": 1}""", "stream", "bool")]
    [InlineData("""{"name": "llama", "seed": [1, 2, 3]}""", "seed", "byte[]")]
    public void BindJson_WrongJsonType_ThrowsNamingParameterAndExpectedType(string json, string parameter, string expectedType)
    {
        using var document = JsonDocument.Parse(json);

        var error = Assert.Throws<ParameterException>(() => _model.BindJson(document.RootElement));

        Assert.Contains($"'{parameter}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"expects {expectedType}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AQI")]
    [InlineData("AQID====")]
    public void BindJson_InvalidBase64ForBytes_ThrowsSayingBase64(string seed)
    {
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = "llama", ["seed"] = seed }));

        var error = Assert.Throws<ParameterException>(() => _model.BindJson(document.RootElement));

        Assert.Contains("'seed'", error.Message, StringComparison.Ordinal);
        Assert.Contains("base64", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name": "llama", "Name": "mistral"}""")]
    [InlineData("""{"name": "llama", "name": "mistral"}""")]
    public void BindJson_SameParameterTwice_ThrowsGivenTwice(string json)
    {
        using var document = JsonDocument.Parse(json);

        var error = Assert.Throws<ParameterException>(() => _model.BindJson(document.RootElement));

        Assert.Contains("'name'", error.Message, StringComparison.Ordinal);
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""["llama", 7]""", "Array")]
    [InlineData("\"llama\"", "String")]
    [InlineData("7", "Number")]
    [InlineData("true", "True")]
    public void BindJson_NotAnObject_ThrowsSayingObjectExpected(string json, string kind)
    {
        using var document = JsonDocument.Parse(json);

        var error = Assert.Throws<ParameterException>(() => _allDefaults.BindJson(document.RootElement));

        Assert.Contains("JSON object", error.Message, StringComparison.Ordinal);
        Assert.Contains(kind, error.Message, StringComparison.Ordinal);
        Assert.Contains("inference.sized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindJson_MissingOrNullOrUndefined_MeansNoParameters()
    {
        var expected = _allDefaults.Bind([]);
        using var jsonNull = JsonDocument.Parse("null");

        Assert.Equal(expected.Hash, _allDefaults.BindJson(null).Hash);
        Assert.Equal(expected.Hash, _allDefaults.BindJson(jsonNull.RootElement).Hash);
        Assert.Equal(expected.Hash, _allDefaults.BindJson(default(JsonElement)).Hash);
    }

    [Fact]
    public void BindJson_NullWithRequiredParameter_ThrowsMissingRequired()
    {
        var error = Assert.Throws<ParameterException>(() => _model.BindJson(null));

        Assert.Contains("'name'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindJson_EmptyObject_AppliesDefaults()
    {
        using var json = JsonDocument.Parse("{}");

        var set = _allDefaults.BindJson(json.RootElement);

        Assert.Equal(_allDefaults.Bind([new("size", 100), new("label", "small")]).Hash, set.Hash);
    }

    [Fact]
    public void BindJson_UnknownParameter_MessageNamesItAndListsDeclaredParameters()
    {
        using var json = JsonDocument.Parse("""{"name": "llama", "temperature": 0.5}""");

        var error = Assert.Throws<ParameterException>(() => _model.BindJson(json.RootElement));

        Assert.Contains("'temperature'", error.Message, StringComparison.Ordinal);
        Assert.Contains("name (string)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindJson_StringWithLoneSurrogateEscape_ThrowsParameterException()
    {
        using var json = JsonDocument.Parse("""{"name": "bad\ud800"}""");

        Assert.Throws<ParameterException>(() => _model.BindJson(json.RootElement));
    }

    [Fact]
    public void BindJson_Int64Extremes_KeepFullValue()
    {
        using var json = JsonDocument.Parse("""{"size": -9223372036854775808}""");

        var set = _allDefaults.BindJson(json.RootElement);

        Assert.True(set.TryGetValue("size", out var size));
        Assert.Equal(long.MinValue, size.AsInt());
    }

    [Fact]
    public void Constructor_Parameters_KeptInDeclaredOrder()
    {
        Assert.Equal("inference.model", _model.Owner);
        Assert.Equal(["name", "size", "stream", "seed"], _model.Parameters.Select(p => p.Name));
        Assert.True(_model.Parameters[0].IsRequired);
        Assert.False(_model.Parameters[1].IsRequired);
    }
}
