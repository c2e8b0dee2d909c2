using Pipeline.Messages.Parameters;
using PublicApiGenerator;

namespace Pipeline.Messages.Tests;

/// <summary>
/// The public API of Pipeline.Messages is a wire contract that publishers in other processes compile against.
/// Any change to it must be deliberate: approve it by copying the received file over the approved one.
/// </summary>
public sealed class PublicApiTests
{
    private const string ApprovedFileName = "Pipeline.Messages.approved.txt";
    private const string ReceivedFileName = "Pipeline.Messages.received.txt";
    private const string ProjectFolder = "tests/Pipeline.Messages.Tests";

    [Fact]
    public void GeneratePublicApi_PipelineMessages_MatchesApprovedFile()
    {
        var actual = NormalizeLineEndings(ApiGenerator.GeneratePublicApi(typeof(ParameterSet).Assembly));
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi", ApprovedFileName);
        var approved = File.Exists(approvedPath) ? NormalizeLineEndings(File.ReadAllText(approvedPath)) : null;
        var sourceFolder = FindSourceFolder();

        if (approved == actual)
        {
            if (sourceFolder is not null)
            {
                File.Delete(Path.Combine(sourceFolder, ReceivedFileName));
            }

            return;
        }

        string where;
        if (sourceFolder is not null)
        {
            var receivedPath = Path.Combine(sourceFolder, ReceivedFileName);
            File.WriteAllText(receivedPath, actual);
            where = $"The actual API is in {receivedPath}. If the change is intended, approve it: cp '{receivedPath}' '{Path.Combine(sourceFolder, ApprovedFileName)}'";
        }
        else
        {
            where = $"The source tree was not found above {AppContext.BaseDirectory}, so no received file was written. The actual API is:\n{actual}";
        }

        Assert.Fail(
            (approved is null
                ? $"There is no approved public API file ({approvedPath}). "
                : "The public API of Pipeline.Messages changed. ") +
            where);
    }

    private static string NormalizeLineEndings(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').TrimEnd() + "\n";

    private static string? FindSourceFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
            {
                var folder = Path.Combine(directory.FullName, ProjectFolder, "PublicApi");
                return Directory.Exists(folder) ? folder : null;
            }
        }

        return null;
    }
}
