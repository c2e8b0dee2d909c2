using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Tests.Slots;

/// <summary>
/// <see cref="GpuRequirement.Parse"/> reads Modal's <c>gpu=</c> syntax ignoring case, and refuses a malformed spec with a
/// <see cref="FormatException"/> that names the spec, the bad part and the fix.
/// </summary>
public sealed class GpuRequirementTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_NullOrBlank_ReturnsNull(string? spec)
    {
        Assert.Null(GpuRequirement.Parse(spec));
    }

    [Fact]
    public void Parse_TypeAlone_OneGpuOfThatType()
    {
        var requirement = GpuRequirement.Parse("H100");

        Assert.NotNull(requirement);
        Assert.Equal([new GpuOption("H100", 1)], requirement.Options);
    }

    [Theory]
    [InlineData("A100-80GB:2", "A100-80GB", 2)]
    [InlineData("a100-80gb:2", "A100-80GB", 2)]
    [InlineData("h100!:8", "H100!", 8)]
    [InlineData("b200+:1", "B200+", 1)]
    [InlineData("l40s", "L40S", 1)]
    [InlineData(" T4 : 4 ", "T4", 4)]
    [InlineData("H100:02", "H100", 2)]
    public void Parse_TypeAndCount_UpperCasedTypeAndCount(string spec, string type, int count)
    {
        var requirement = GpuRequirement.Parse(spec);

        Assert.NotNull(requirement);
        Assert.Equal([new GpuOption(type, count)], requirement.Options);
    }

    [Theory]
    [InlineData("any", 1)]
    [InlineData("ANY", 1)]
    [InlineData("Any:2", 2)]
    public void Parse_Any_AnyGpuOption(string spec, int count)
    {
        var option = Assert.Single(GpuRequirement.Parse(spec)!.Options);

        Assert.Equal(GpuOption.AnyType, option.Type);
        Assert.Equal(count, option.Count);
        Assert.True(option.IsAny);
    }

    [Fact]
    public void Parse_FallbackList_KeepsRankOrder()
    {
        var requirement = GpuRequirement.Parse("h100, A100-80GB:2,any");

        Assert.NotNull(requirement);
        Assert.Equal([new GpuOption("H100", 1), new GpuOption("A100-80GB", 2), new GpuOption("ANY", 1)], requirement.Options);
    }

    [Fact]
    public void Parse_UnknownType_AcceptedButNotKnown()
    {
        var option = Assert.Single(GpuRequirement.Parse("x900-192gb:2")!.Options);

        Assert.Equal(new GpuOption("X900-192GB", 2), option);
        Assert.False(option.IsKnownType);
    }

    [Fact]
    public void Parse_CountNotANumber_MessageNamesSpecCountAndFix()
    {
        var error = Assert.Throws<FormatException>(() => GpuRequirement.Parse("H100:x"));

        Assert.Equal(
            "Gpu \"H100:x\": the count \"x\" is not a whole number from 1 to 8. Write \"TYPE\" or \"TYPE:COUNT\", e.g. \"A100-80GB:2\".",
            error.Message);
    }

    [Theory]
    [InlineData("H100:0", "0")]
    [InlineData("H100:9", "9")]
    [InlineData("H100:-1", "-1")]
    [InlineData("H100:+2", "+2")]
    [InlineData("H100:1.5", "1.5")]
    [InlineData("H100:", "")]
    [InlineData("H100, A100:99999999999", "99999999999")]
    public void Parse_CountOutOfRangeOrMalformed_Throws(string spec, string count)
    {
        var error = Assert.Throws<FormatException>(() => GpuRequirement.Parse(spec));

        Assert.StartsWith($"Gpu \"{spec}\": the count \"{count}\" is not a whole number from 1 to 8.", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"TYPE:COUNT\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(":2")]
    [InlineData(" :2")]
    [InlineData("H100, :1")]
    public void Parse_NoType_ThrowsNamingTheOption(string spec)
    {
        var error = Assert.Throws<FormatException>(() => GpuRequirement.Parse(spec));

        Assert.StartsWith($"Gpu \"{spec}\": the option \"", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no GPU type", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"TYPE:COUNT\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("H100,,A100", "option 2 of 3 is empty")]
    [InlineData("H100,", "option 2 of 2 is empty")]
    [InlineData(", H100", "option 1 of 2 is empty")]
    [InlineData("H100, ,A100", "option 2 of 3 is empty")]
    public void Parse_EmptyItemInList_ThrowsNamingItsPosition(string spec, string problem)
    {
        var error = Assert.Throws<FormatException>(() => GpuRequirement.Parse(spec));

        Assert.StartsWith($"Gpu \"{spec}\": {problem}.", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"H100, A100-80GB:2\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoColons_Throws()
    {
        var error = Assert.Throws<FormatException>(() => GpuRequirement.Parse("H100:2:3"));

        Assert.StartsWith("Gpu \"H100:2:3\": the option \"H100:2:3\" has more than one ':'.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("H 100", "H 100")]
    [InlineData("H100-:2", "H100-")]
    [InlineData("-A100", "-A100")]
    [InlineData("A100--80GB", "A100--80GB")]
    [InlineData("!", "!")]
    [InlineData("H100!!", "H100!!")]
    [InlineData("H100;A100", "H100;A100")]
    public void Parse_MalformedType_ThrowsNamingTheType(string spec, string type)
    {
        var error = Assert.Throws<FormatException>(() => GpuRequirement.Parse(spec));

        Assert.StartsWith($"Gpu \"{spec}\": the type \"{type}\" is not a GPU type name", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("h100", "H100")]
    [InlineData("H100:1", "H100")]
    [InlineData("a100-80gb:2", "A100-80GB:2")]
    [InlineData(" h100 ,a100-80gb : 2,any:8 ", "H100, A100-80GB:2, ANY:8")]
    public void ToString_AnySpelling_CanonicalFormThatParsesBack(string spec, string canonical)
    {
        var requirement = GpuRequirement.Parse(spec)!;

        Assert.Equal(canonical, requirement.ToString());
        Assert.Equal(requirement, GpuRequirement.Parse(canonical));
    }

    [Theory]
    [InlineData("T4")]
    [InlineData("L4")]
    [InlineData("A10")]
    [InlineData("A10G")]
    [InlineData("L40S")]
    [InlineData("A100")]
    [InlineData("A100-40GB")]
    [InlineData("a100-80gb")]
    [InlineData("RTX-PRO-6000")]
    [InlineData("H100")]
    [InlineData("H100!")]
    [InlineData("H200")]
    [InlineData("B200")]
    [InlineData("B200+")]
    [InlineData("B300")]
    [InlineData("any")]
    public void IsKnownType_DocumentedType_True(string type)
    {
        Assert.True(GpuRequirement.IsKnownType(type));
    }

    [Theory]
    [InlineData("X900")]
    [InlineData("H100+")]
    [InlineData("A100-80")]
    [InlineData("")]
    public void IsKnownType_OtherType_False(string type)
    {
        Assert.False(GpuRequirement.IsKnownType(type));
    }

    [Fact]
    public void Equals_SameOptionsSameOrder_EqualWithSameHash()
    {
        var a = GpuRequirement.Parse("H100, A100-80GB:2")!;
        var b = new GpuRequirement([new GpuOption("H100", 1), new GpuOption("A100-80GB", 2)]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Theory]
    [InlineData("A100-80GB:2, H100")]
    [InlineData("H100, A100-80GB:1")]
    [InlineData("H100")]
    public void Equals_OtherOrderOrOptions_NotEqual(string other)
    {
        Assert.NotEqual(GpuRequirement.Parse("H100, A100-80GB:2"), GpuRequirement.Parse(other));
    }

    [Fact]
    public void Constructor_NoOptions_Throws()
    {
        Assert.Throws<ArgumentException>(() => new GpuRequirement([]));
    }
}
