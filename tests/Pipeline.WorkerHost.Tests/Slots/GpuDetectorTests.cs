using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using Pipeline.WorkerHost.Slots;

namespace Pipeline.WorkerHost.Tests.Slots;

/// <summary>
/// <see cref="GpuDetector"/> reads <c>nvidia-smi</c>'s CSV; a host where it is missing, fails or hangs has no GPUs and says
/// why at Information, and only cancellation throws. The process tests run fake <c>nvidia-smi</c> shell scripts.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class GpuDetectorTests : IDisposable
{
    private const string TwoH100s = "0, NVIDIA H100 80GB HBM3, 81559\n1, NVIDIA H100 80GB HBM3, 81559\n";

    private readonly ListLogger _logger = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-gpu-detector-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Parse_NvidiaSmiOutput_DevicesWithIndexNameAndMemory()
    {
        var gpus = GpuDetector.Parse(TwoH100s, _logger);

        Assert.Equal(
            [new GpuDevice(0, "NVIDIA H100 80GB HBM3", 81559), new GpuDevice(1, "NVIDIA H100 80GB HBM3", 81559)],
            gpus);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Parse_BlankLinesExtraSpacesAndCrLf_Tolerated()
    {
        var gpus = GpuDetector.Parse("\r\n   \n  0 ,   NVIDIA A100-SXM4-80GB  ,  81920  \r\n\n1,Tesla T4,15360\n  \n", _logger);

        Assert.Equal([new GpuDevice(0, "NVIDIA A100-SXM4-80GB", 81920), new GpuDevice(1, "Tesla T4", 15360)], gpus);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Parse_NoOutput_NoDevices()
    {
        Assert.Empty(GpuDetector.Parse("", _logger));
    }

    [Theory]
    [InlineData("No devices were found")]
    [InlineData("0, NVIDIA H100")]
    [InlineData("x, NVIDIA H100, 81559")]
    [InlineData("-1, NVIDIA H100, 81559")]
    [InlineData("0, NVIDIA H100, [N/A]")]
    [InlineData("0, NVIDIA H100, 80 GB")]
    [InlineData("0, , 81559")]
    public void Parse_MalformedLine_SkippedWithWarning(string line)
    {
        var gpus = GpuDetector.Parse($"{line}\n1, NVIDIA L4, 23034\n", _logger);

        Assert.Equal([new GpuDevice(1, "NVIDIA L4", 23034)], gpus);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal(2104, entry.EventId.Id);
        Assert.Contains(line, entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NameWithComma_KeptWhole()
    {
        var gpu = Assert.Single(GpuDetector.Parse("3, NVIDIA Future, Edition, 1024", _logger));

        Assert.Equal(new GpuDevice(3, "NVIDIA Future, Edition", 1024), gpu);
    }

    [Fact]
    public void Parse_RepeatedIndex_FirstKeptSecondSkippedWithWarning()
    {
        var gpus = GpuDetector.Parse("0, NVIDIA H100, 81559\n0, NVIDIA L4, 23034\n", _logger);

        Assert.Equal([new GpuDevice(0, "NVIDIA H100", 81559)], gpus);
        Assert.Equal(LogLevel.Warning, Assert.Single(_logger.Entries).Level);
    }

    [Fact]
    public void Parse_OutOfOrder_SortedByIndex()
    {
        var gpus = GpuDetector.Parse("2, C, 3\n0, A, 1\n1, B, 2\n", _logger);

        Assert.Equal([0, 1, 2], gpus.Select(g => g.Index));
    }

    [Fact]
    public async Task DetectAsync_FakeNvidiaSmi_ReturnsItsGpusAndLogsThem()
    {
        // The fake answers only the query the detector is meant to send.
        var path = WriteScript("""
            if [ "$1" != "--query-gpu=index,name,memory.total" ] || [ "$2" != "--format=csv,noheader,nounits" ] || [ $# -ne 2 ]; then
              echo "unexpected arguments: $*" >&2
              exit 2
            fi
            echo "0, NVIDIA H100 80GB HBM3, 81559"
            echo "1, NVIDIA H100 80GB HBM3, 81559"
            """);

        var gpus = await GpuDetector.DetectAsync(path, _logger, CancellationToken.None);

        Assert.Equal(
            [new GpuDevice(0, "NVIDIA H100 80GB HBM3", 81559), new GpuDevice(1, "NVIDIA H100 80GB HBM3", 81559)],
            gpus);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Information, 2105), (entry.Level, entry.EventId.Id));
        Assert.Contains("Detected 2 GPU(s)", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetectAsync_ExitsWithOne_NoGpusAndLogsTheError()
    {
        var path = WriteScript("""
            echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
            exit 1
            """);

        var gpus = await GpuDetector.DetectAsync(path, _logger, CancellationToken.None);

        Assert.Empty(gpus);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Information, 2102), (entry.Level, entry.EventId.Id));
        Assert.Contains("exited with code 1", entry.Message, StringComparison.Ordinal);
        Assert.Contains("couldn't communicate with the NVIDIA driver", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetectAsync_FailsWithStandardError_LogsStandardError()
    {
        var path = WriteScript("""
            echo "partial output"
            echo "driver/library version mismatch" >&2
            exit 9
            """);

        var gpus = await GpuDetector.DetectAsync(path, _logger, CancellationToken.None);

        Assert.Empty(gpus);
        var entry = Assert.Single(_logger.Entries);
        Assert.Contains("exited with code 9: driver/library version mismatch", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetectAsync_PathDoesNotExist_NoGpusAndLogsNotFound()
    {
        var path = Path.Combine(_directory, "no-such-nvidia-smi");

        var gpus = await GpuDetector.DetectAsync(path, _logger, CancellationToken.None);

        Assert.Empty(gpus);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Information, 2100), (entry.Level, entry.EventId.Id));
        Assert.Equal($"No GPUs: nvidia-smi not found at {path}", entry.Message);
    }

    [Fact]
    public async Task DetectAsync_FileNotExecutable_NoGpusAndLogsWhy()
    {
        var path = Path.Combine(_directory, "nvidia-smi");
        await File.WriteAllTextAsync(path, "#!/bin/sh\necho '0, NVIDIA H100, 81559'\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var gpus = await GpuDetector.DetectAsync(path, _logger, CancellationToken.None);

        Assert.Empty(gpus);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Information, 2101), (entry.Level, entry.EventId.Id));
    }

    [Fact]
    public async Task DetectAsync_NeverAnswers_NoGpusAfterTheTimeout()
    {
        var path = WriteScript("exec sleep 60");

        var gpus = await GpuDetector.DetectAsync(path, TimeSpan.FromMilliseconds(200), _logger, CancellationToken.None);

        Assert.Empty(gpus);
        var entry = Assert.Single(_logger.Entries);
        Assert.Equal((LogLevel.Information, 2103), (entry.Level, entry.EventId.Id));
    }

    [Fact]
    public async Task DetectAsync_AlreadyCancelled_Throws()
    {
        var path = WriteScript($"echo '{TwoH100s}'");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => GpuDetector.DetectAsync(path, _logger, new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task DetectAsync_CancelledWhileWaiting_ThrowsRatherThanReturningEmpty()
    {
        var path = WriteScript("exec sleep 60");
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => GpuDetector.DetectAsync(path, TimeSpan.FromMinutes(1), _logger, cancellation.Token));
        Assert.Empty(_logger.Entries);
    }

    private string WriteScript(string body)
    {
        var path = Path.Combine(_directory, "nvidia-smi");
        File.WriteAllText(path, $"#!/bin/sh\n{body.ReplaceLineEndings("\n")}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
