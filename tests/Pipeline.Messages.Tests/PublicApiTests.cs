using System.Reflection;
using Pipeline.Client;
using Pipeline.Messages.Parameters;
using PublicApiGenerator;

namespace Pipeline.Messages.Tests;

/// <summary>
/// The public APIs that code outside this repository compiles against: Pipeline.Messages (the wire contract other
/// publishers build on), Pipeline.Abstractions (what an app references) and Pipeline.Client (what a service
/// references). Any change must be deliberate: approve it by copying the received file over the approved one, or
/// regenerate every approved file at once with <c>PIPELINE_APPROVE_PUBLIC_API=1</c> (after a merge) and review the diff.
/// </summary>
public sealed class PublicApiTests
{
    /// <summary>Set to 1 to write the actual APIs over the approved files (in the source tree) instead of comparing.</summary>
    public const string ApproveVariable = "PIPELINE_APPROVE_PUBLIC_API";

    private const string ProjectFolder = "tests/Pipeline.Messages.Tests";

    // SourceLink stamps AssemblyMetadata("RepositoryUrl", <the clone's origin>) into every assembly: where it was
    // built, not what it offers.
    private static readonly ApiGeneratorOptions Options = new() { ExcludeAttributes = ["System.Reflection.AssemblyMetadataAttribute"] };

    [Fact]
    public void GeneratePublicApi_PipelineMessages_MatchesApprovedFile() =>
        AssertMatchesApprovedFile(typeof(ParameterSet).Assembly);

    [Fact]
    public void GeneratePublicApi_PipelineAbstractions_MatchesApprovedFile() =>
        AssertMatchesApprovedFile(typeof(FunctionAttribute).Assembly);

    [Fact]
    public void GeneratePublicApi_PipelineClient_MatchesApprovedFile() =>
        AssertMatchesApprovedFile(typeof(PipelineClient).Assembly);

    private static void AssertMatchesApprovedFile(Assembly assembly)
    {
        var name = assembly.GetName().Name!;
        var approvedFileName = $"{name}.approved.txt";
        var receivedFileName = $"{name}.received.txt";
        var actual = NormalizeLineEndings(ApiGenerator.GeneratePublicApi(assembly, Options));
        var sourceFolder = FindSourceFolder();

        // The source tree's file when there is one, so an approval counts without a rebuild; else the output's copy.
        var approvedPath = Path.Combine(sourceFolder ?? Path.Combine(AppContext.BaseDirectory, "PublicApi"), approvedFileName);
        var approved = File.Exists(approvedPath) ? NormalizeLineEndings(File.ReadAllText(approvedPath)) : null;

        if (Environment.GetEnvironmentVariable(ApproveVariable) == "1")
        {
            Assert.True(sourceFolder is not null, $"{ApproveVariable}=1, but the source tree was not found above {AppContext.BaseDirectory}.");
            File.WriteAllText(Path.Combine(sourceFolder, approvedFileName), actual);
            File.Delete(Path.Combine(sourceFolder, receivedFileName));
            return;
        }

        if (approved == actual)
        {
            if (sourceFolder is not null)
            {
                File.Delete(Path.Combine(sourceFolder, receivedFileName));
            }

            return;
        }

        string where;
        if (sourceFolder is not null)
        {
            var receivedPath = Path.Combine(sourceFolder, receivedFileName);
            File.WriteAllText(receivedPath, actual);
            where = $"The actual API is in {receivedPath}. If the change is intended, approve it: cp '{receivedPath}' '{Path.Combine(sourceFolder, approvedFileName)}' " +
                $"(or run the public API tests with {ApproveVariable}=1 to rewrite every approved file), and review the diff.";
        }
        else
        {
            where = $"The source tree was not found above {AppContext.BaseDirectory}, so no received file was written. The actual API is:\n{actual}";
        }

        Assert.Fail(
            (approved is null
                ? $"There is no approved public API file ({approvedPath}). "
                : $"The public API of {name} changed. ") +
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
