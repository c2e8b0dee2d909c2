using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Tests.Slots;

/// <summary>
/// <see cref="GpuOption.Matches"/> compares a GPU type with an <c>nvidia-smi</c> model name by whole tokens, so that
/// <c>A100-80GB</c> finds <c>NVIDIA A100-SXM4-80GB</c> while <c>L4</c> does not take an <c>L40S</c>.
/// </summary>
public sealed class GpuOptionTests
{
    [Theory]
    // Any GPU.
    [InlineData("ANY", "NVIDIA H100 80GB HBM3", true)]
    [InlineData("ANY", "Tesla T4", true)]
    [InlineData("any", "NVIDIA GeForce RTX 4090", true)]
    // One token.
    [InlineData("H100", "NVIDIA H100 80GB HBM3", true)]
    [InlineData("H100", "NVIDIA H100 PCIe", true)]
    [InlineData("H100", "NVIDIA H100", true)]
    [InlineData("H100", "NVIDIA H200", false)]
    [InlineData("H100", "NVIDIA GH100", false)]
    [InlineData("H200", "NVIDIA H200", true)]
    [InlineData("B200", "NVIDIA B200", true)]
    [InlineData("B300", "NVIDIA B200", false)]
    [InlineData("T4", "Tesla T4", true)]
    // Trailing '!' and '+' are about Modal's upgrades, not the model.
    [InlineData("H100!", "NVIDIA H100 80GB HBM3", true)]
    [InlineData("B200+", "NVIDIA B200", true)]
    // Several tokens, all required, anywhere in the name.
    [InlineData("A100-80GB", "NVIDIA A100-SXM4-80GB", true)]
    [InlineData("A100-80GB", "NVIDIA A100 80GB PCIe", true)]
    [InlineData("A100-80GB", "NVIDIA A100 80 GB PCIe", true)]
    [InlineData("A100-80GB", "NVIDIA A100-SXM4-40GB", false)]
    [InlineData("A100-40GB", "NVIDIA A100-PCIE-40GB", true)]
    [InlineData("A100", "NVIDIA A100-SXM4-80GB", true)]
    [InlineData("A100", "NVIDIA A100-PCIE-40GB", true)]
    [InlineData("RTX-PRO-6000", "NVIDIA RTX PRO 6000 Blackwell Server Edition", true)]
    [InlineData("RTX-PRO-6000", "NVIDIA RTX 6000 Ada Generation", false)]
    // A token that is a prefix of another model must not match it.
    [InlineData("L4", "NVIDIA L4", true)]
    [InlineData("L4", "NVIDIA L40S", false)]
    [InlineData("L4", "NVIDIA L40", false)]
    [InlineData("L40S", "NVIDIA L40S", true)]
    [InlineData("L40S", "NVIDIA L4", false)]
    [InlineData("A10", "NVIDIA A10", true)]
    [InlineData("A10", "NVIDIA A100-SXM4-80GB", false)]
    [InlineData("A10", "NVIDIA A10G", false)]
    [InlineData("A10G", "NVIDIA A10G", true)]
    [InlineData("A100", "NVIDIA A10", false)]
    // Case is ignored on both sides.
    [InlineData("h100", "nvidia h100 80gb hbm3", true)]
    [InlineData("a100-80gb", "NVIDIA A100-SXM4-80GB", true)]
    public void Matches_TypeAndDeviceName_AsExpected(string type, string deviceName, bool expected)
    {
        var option = new GpuOption(type, 1);

        Assert.Equal(expected, option.Matches(new GpuDevice(0, deviceName, 81559)));
    }

    [Theory]
    [InlineData("!")]
    [InlineData("-")]
    [InlineData("")]
    public void Matches_TypeWithoutTokens_MatchesNothing(string type)
    {
        Assert.False(new GpuOption(type, 1).Matches(new GpuDevice(0, "NVIDIA H100 80GB HBM3", 81559)));
    }

    [Theory]
    [InlineData("H100", 1, "H100")]
    [InlineData("A100-80GB", 2, "A100-80GB:2")]
    [InlineData("ANY", 8, "ANY:8")]
    public void ToString_Count_OmittedOnlyForOne(string type, int count, string expected)
    {
        Assert.Equal(expected, new GpuOption(type, count).ToString());
    }

    [Theory]
    [InlineData("ANY", true)]
    [InlineData("any", true)]
    [InlineData("H100", false)]
    [InlineData("ANY-80GB", false)]
    public void IsAny_Type_TrueOnlyForAny(string type, bool expected)
    {
        Assert.Equal(expected, new GpuOption(type, 1).IsAny);
    }
}
