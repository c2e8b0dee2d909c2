using Pipeline.Consumers.Discovery;

namespace Pipeline.WorkerHost.Tests.Hosting;

public sealed class AppLoaderTests
{
    [Fact]
    public void Load_MissingFile_NamesTheKeyAndThePath()
    {
        var error = Assert.Throws<InvalidOperationException>(() => AppAssemblyLoader.Load(["no/such/App.dll"], "Pipeline:Worker:Apps"));

        Assert.Contains("Pipeline:Worker:Apps", error.Message, StringComparison.Ordinal);
        Assert.Contains("no/such/App.dll", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoApps_SaysWhichSettingToSet()
    {
        var error = Assert.Throws<InvalidOperationException>(() => AppAssemblyLoader.Load([], "Pipeline:Worker:Apps"));

        Assert.Contains("Pipeline:Worker:Apps:0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AppAssembly_SharesPipelineTypesWithTheHost()
    {
        var path = typeof(AppLoaderTests).Assembly.Location;

        var loaded = Assert.Single(AppAssemblyLoader.Load([path], "Pipeline:Worker:Apps"));

        // The attribute type the app's types carry is the host's own, so discovery sees them.
        var worker = loaded.GetType(typeof(Pools.Worker).FullName!)!;
        Assert.NotSame(typeof(Pools.Worker), worker);
        Assert.True(worker.IsDefined(typeof(ClsAttribute), inherit: false));
    }
}
