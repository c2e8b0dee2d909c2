using Pipeline.Consumers.Discovery;

namespace Pipeline.Consumers.Tests.Discovery;

/// <summary>
/// A worker host refuses to start when an implementation does not match the contract its callers compile against;
/// each problem names the class, the member, the mismatch and the fix. The nested types are the user code, one
/// mistake each.
/// </summary>
public sealed class ContractCheckTests
{
    [Contract(App = "contracts")]
    public interface IModel : IParameterized<ModelParams>
    {
        Task<string> GenerateAsync(string prompt, CancellationToken ct);
    }

    [Contract(App = "contracts")]
    public interface IJobs
    {
        Task<int> SquareAsync(int x, CancellationToken ct);
    }

    public interface IDescribes
    {
        string Describe();
    }

    [Contract(App = "contracts", Name = "described")]
    public interface IDescribedModel : IParameterized<ModelParams>, IDescribes
    {
        Task<string> GenerateAsync(string prompt, CancellationToken ct);
    }

    [Contract]
    public interface INoApp
    {
        int Run();
    }

    [Fact]
    public void Discover_MatchingClass_RegistersContractMethodsWithoutMethodAttribute()
    {
        var registry = AppDiscovery.Discover([typeof(Model)]);

        var cls = Assert.Single(Assert.Single(registry.Apps).Classes.Values);
        Assert.Equal("model", cls.Name);
        Assert.Equal(["generate"], cls.Methods.Keys);
        Assert.Equal(new ContractDescriptionView("contracts", "model", 2), ContractDescriptionView.Of(typeof(IModel)));
    }

    [Fact]
    public void Discover_ContractExtendingAnInterface_RegistersItsMethodsToo()
    {
        var registry = AppDiscovery.Discover([typeof(Described)]);

        Assert.Equal(["describe", "generate"], Assert.Single(Assert.Single(registry.Apps).Classes.Values).Methods.Keys.Order());
    }

    [Fact]
    public void Discover_MatchingFunctions_Registers()
    {
        var registry = AppDiscovery.Discover([typeof(Jobs)]);

        Assert.Equal(["square"], Assert.Single(registry.Apps).Functions.Keys);
    }

    [Fact]
    public void Discover_ClassTakingItsRecordWithoutParameterMembers_PoolsAsTheRecordAndAsParameterMembersDo()
    {
        var cls = Assert.Single(Assert.Single(AppDiscovery.Discover([typeof(RecordModel)]).Apps).Classes.Values);
        var withMembers = Assert.Single(Assert.Single(AppDiscovery.Discover([typeof(Model)]).Apps).Classes.Values);

        Assert.Empty(cls.Parameters);
        Assert.Equal(typeof(ModelParams), cls.Record?.Type);
        Assert.True(cls.Record!.Injected);
        Assert.Equal(["name", "size"], cls.Schema.Parameters.Select(p => p.Name));

        // The hash (so the pool and queue) is the one a caller computes from the record, and the one [Parameter] members gave.
        var hashed = Pipeline.Contracts.ContractDescription.Valid(typeof(IModel)).Bind(new ModelParams("llama", Size: 7)).Hash;
        Assert.Equal(hashed, cls.Schema.Bind([new("name", "llama"), new("size", 7)]).Hash);
        Assert.Equal(hashed, withMembers.Schema.Bind([new("name", "llama"), new("size", 7)]).Hash);
        Assert.NotEqual(hashed, cls.Schema.Bind([new("name", "llama")]).Hash);
    }

    [Fact]
    public void Discover_ClassWithParameterMembersAndTheRecord_KeepsCheckingTheMembers()
    {
        var problem = Assert.Single(Assert.Throws<AppDefinitionException>(() => AppDiscovery.Discover([typeof(RecordAndPartialMembers)])).Problems);

        Assert.Contains("ModelParams declares parameter 'size'", problem, StringComparison.Ordinal);
        Assert.Contains("or remove every [Parameter] and take ModelParams in the constructor", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(Llama), "[Cls] class Llama (contract IModel)", "'llama' on the wire", "names it 'model'", "[Cls(Name = \"model\")]")]
    [InlineData(typeof(OtherApp), "[Cls] class OtherApp", "app 'elsewhere'", "names app 'contracts'", "Use one app name")]
    [InlineData(typeof(MissingSize), "[Cls] class MissingSize", "ModelParams declares parameter 'size'", "no [Parameter] of that name", "Add one")]
    [InlineData(typeof(ExtraParameter), "[Cls] class ExtraParameter", "ExtraParameter.Color is parameter 'color'", "ModelParams does not declare", "Add it to the record, or remove [Parameter]")]
    [InlineData(typeof(SizeAsString), "[Cls] class SizeAsString", "parameter 'size' is int", "but string in SizeAsString.Size", "Use the same type")]
    [InlineData(typeof(OtherDefault), "[Cls] class OtherDefault", "parameter 'size'", "default 100 in ModelParams", "default 50 in OtherDefault.Size", "Use the same default")]
    [InlineData(typeof(RequiredSize), "[Cls] class RequiredSize", "parameter 'size'", "required in RequiredSize.Size", "Use the same default")]
    [InlineData(typeof(RenamedArgument), "RenamedArgument.GenerateAsync (contract IModel.GenerateAsync)", "argument 1 is 'prompt' in the contract but 'text'", "Use the same name")]
    [InlineData(typeof(RenamedMethod), "RenamedMethod.GenerateAsync", "'gen' on the wire but the contract's is 'generate'", "[Method(Name = ...)]")]
    [InlineData(typeof(NoSquare), "NoSquare [Implements(typeof(IJobs))]", "no [Function] named 'square'", "IJobs.SquareAsync", "Add '[Function] public static Task<Int32> SquareAsync(Int32 x, CancellationToken ct)'")]
    [InlineData(typeof(SquareOfString), "SquareOfString.SquareAsync (contract IJobs.SquareAsync)", "argument 1 is Int32 'x' in the contract but String 'x'", "Use the contract's type")]
    [InlineData(typeof(SquareTwoArguments), "SquareTwoArguments.SquareAsync", "the contract passes 1 argument(s) (x)", "takes 2 (x, y)")]
    [InlineData(typeof(SquareAsText), "SquareAsText [Implements(typeof(IJobs))]", "yields Int32", "yields String", "Return the contract's type")]
    [InlineData(typeof(FunctionsForAClass), "FunctionsForAClass [Implements(typeof(IModel))]", "IModel is a class contract", "[Cls] public sealed class model : IModel")]
    [InlineData(typeof(ClassForFunctions), "[Cls] class ClassForFunctions (contract IJobs)", "function-set contract", "[Implements(typeof(IJobs))]")]
    [InlineData(typeof(NoAppImplementation), "NoAppImplementation [Implements(typeof(INoApp))]", "Contract INoApp names no app", "[Contract(App = \"name\")]", "[assembly: App(\"name\")]")]
    public void Discover_ImplementationDiffersFromContract_NamesTheMismatchAndTheFix(Type sample, params string[] parts)
    {
        var problem = Assert.Single(Assert.Throws<AppDefinitionException>(() => AppDiscovery.Discover([sample])).Problems);

        foreach (var part in parts)
        {
            Assert.Contains(part, problem, StringComparison.Ordinal);
        }
    }

    public sealed record ModelParams(string Name, int Size = 100);

    [App("contracts"), Cls]
    public sealed class Model : IModel
    {
        [Parameter] public required string Name { get; set; }

        [Parameter] public int Size { get; set; } = 100;

        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult(prompt);
    }

    [App("contracts"), Cls(Name = "model")]
    public sealed class RecordModel(ModelParams parameters) : IModel
    {
        public ModelParams Parameters { get; } = parameters;

        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult($"{Parameters.Name}:{prompt}");
    }

    [App("contracts"), Cls(Name = "model")]
    public sealed class RecordAndPartialMembers(ModelParams parameters) : IModel
    {
        [Parameter] public required string Name { get; set; }

        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult($"{parameters.Size}:{prompt}");
    }

    [App("contracts"), Cls]
    public sealed class Llama : IModel
    {
        [Parameter] public required string Name { get; set; }

        [Parameter] public int Size { get; set; } = 100;

        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult(prompt);
    }

    [App("contracts"), Cls]
    public sealed class Described : IDescribedModel
    {
        [Parameter] public required string Name { get; set; }

        [Parameter] public int Size { get; set; } = 100;

        public string Describe() => Name;

        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult(prompt);
    }

    [App("elsewhere"), Cls(Name = "model")]
    public sealed class OtherApp : IModel
    {
        [Parameter] public required string Name { get; set; }

        [Parameter] public int Size { get; set; } = 100;

        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult(prompt);
    }

    [App("contracts"), Cls(Name = "model")]
    public sealed class MissingSize : IModel
    {
        [Parameter] public required string Name { get; set; }

        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult(prompt);
    }

    [App("contracts"), Cls(Name = "model")]
    public sealed class ExtraParameter : IModel
    {
        [Parameter] public required string Name { get; set; }

        [Parameter] public int Size { get; set; } = 100;

        [Parameter] public string Color { get; set; } = "red";

        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult(prompt);
    }

    [App("contracts"), Cls(Name = "model")]
    public sealed class SizeAsString : IModel
    {
        [Parameter] public required string Name { get; set; }

        [Parameter] public string Size { get; set; } = "100";

        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult(prompt);
    }

    [App("contracts"), Cls(Name = "model")]
    public sealed class OtherDefault : IModel
    {
        [Parameter] public required string Name { get; set; }

        [Parameter] public int Size { get; set; } = 50;

        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult(prompt);
    }

    [App("contracts"), Cls(Name = "model")]
    public sealed class RequiredSize : IModel
    {
        [Parameter] public required string Name { get; set; }

        [Parameter] public required int Size { get; set; }

        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult(prompt);
    }

    [App("contracts"), Cls(Name = "model")]
    public sealed class RenamedArgument : IModel
    {
        [Parameter] public required string Name { get; set; }

        [Parameter] public int Size { get; set; } = 100;

#pragma warning disable CA1725 // The mistake under test: an app without this analyzer compiles it.
        public Task<string> GenerateAsync(string text, CancellationToken ct) => Task.FromResult(text);
#pragma warning restore CA1725
    }

    [App("contracts"), Cls(Name = "model")]
    public sealed class RenamedMethod : IModel
    {
        [Parameter] public required string Name { get; set; }

        [Parameter] public int Size { get; set; } = 100;

        [Method(Name = "gen")]
        public Task<string> GenerateAsync(string prompt, CancellationToken ct) => Task.FromResult(prompt);
    }

    [App("contracts"), Implements(typeof(IJobs))]
    public static class Jobs
    {
        [Function]
        public static Task<int> SquareAsync(int x, CancellationToken ct) => Task.FromResult(x * x);
    }

    [App("contracts"), Implements(typeof(IJobs))]
    public static class NoSquare
    {
        [Function]
        public static int Cube(int x) => x * x * x;
    }

    [App("contracts"), Implements(typeof(IJobs))]
    public static class SquareOfString
    {
        [Function]
        public static Task<int> SquareAsync(string x) => Task.FromResult(x.Length);
    }

    [App("contracts"), Implements(typeof(IJobs))]
    public static class SquareTwoArguments
    {
        [Function]
        public static int SquareAsync(int x, int y) => x * y;
    }

    [App("contracts"), Implements(typeof(IJobs))]
    public static class SquareAsText
    {
        [Function]
        public static string SquareAsync(int x) => $"{x * x}";
    }

    [App("contracts"), Implements(typeof(IModel))]
    public static class FunctionsForAClass
    {
        [Function]
        public static string Generate(string prompt) => prompt;
    }

    [App("contracts"), Cls]
    public sealed class ClassForFunctions : IJobs
    {
        public Task<int> SquareAsync(int x, CancellationToken ct) => Task.FromResult(x);
    }

    [App("contracts"), Implements(typeof(INoApp))]
    public static class NoAppImplementation
    {
        [Function]
        public static int Run() => 1;
    }

    /// <summary>What the caller's side reads from a contract, in short.</summary>
    private sealed record ContractDescriptionView(string App, string? ClassName, int Parameters)
    {
        public static ContractDescriptionView Of(Type contract)
        {
            var description = Pipeline.Contracts.ContractDescription.Valid(contract);
            return new(description.App, description.ClassName, description.Parameters.Count);
        }
    }
}
