using Pipeline.Messages.Manifests;
using Pipeline.Messages.Parameters;

namespace Pipeline.Client.Tests;

internal static class TestApps
{
    public static AppManifest Inference { get; } = new(
        "inference",
        [new FunctionManifest("square", ["x"]), new FunctionManifest("nightly-report", [])],
        [new ClassManifest(
            "model",
            new ParameterSchema("inference.model", [new ParameterSpec("name", ParameterType.String), ParameterSpec.ForInt("size", ParameterValue.FromInt(100))]),
            [new FunctionManifest("generate", ["prompt"])])]);
}
