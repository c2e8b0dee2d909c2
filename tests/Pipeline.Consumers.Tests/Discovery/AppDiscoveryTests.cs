using System.Reflection;
using System.Reflection.Emit;
using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Tests.Discovery;

/// <summary>
/// Discovery turns a user's attributes into the registry, or refuses to start with every mistake listed, each naming
/// the type, the member and the fix. The nested classes are the user code under test, one mistake each.
/// </summary>
public sealed class AppDiscoveryTests
{
    private const string SupportedTypes = "Use string, int, long, bool or byte[]";

    public static TheoryData<Type, string, string> UnsupportedParameters() => new()
    {
        { typeof(DoubleParameter), "DoubleParameter.Ratio", "has type Double" },
        { typeof(DateTimeParameter), "DateTimeParameter.Since", "has type DateTime" },
        { typeof(ListParameter), "ListParameter.Tags", "has type List" },
    };

    public static TheoryData<Type, string> BadTimeouts() => new()
    {
        { typeof(TimeoutHalfSecond), "00:00:00.5" },
        { typeof(TimeoutTwentyFiveHours), "25:00:00" },
        { typeof(TimeoutNotATimeSpan), "abc" },
    };

    public static TheoryData<Type, string, string> MarkersWithoutCls() => new()
    {
        { typeof(MethodWithoutCls), "MethodWithoutCls.Generate", "[Method]" },
        { typeof(EnterWithoutCls), "EnterWithoutCls.Load", "[Enter]" },
        { typeof(ExitWithoutCls), "ExitWithoutCls.Unload", "[Exit]" },
        { typeof(ParameterWithoutCls), "ParameterWithoutCls.Name", "[Parameter]" },
    };

    [Theory]
    [MemberData(nameof(UnsupportedParameters))]
    public void Discover_ParameterOfUnsupportedType_NamesMemberTypeAndSupportedTypes(Type sample, string member, string typeText)
    {
        var problem = SingleProblem(sample);

        AssertMentions(problem, "[Parameter]", member, typeText, SupportedTypes);
    }

    [Fact]
    public void Discover_TwoFunctionsNormalizingToSameName_NamesBothAndTheFix()
    {
        var problem = SingleProblem(typeof(RunTwice));

        AssertMentions(problem, "App 'dupes'", "'run'", "RunTwice.Run ", "RunTwice.RunAsync", "Rename one", "Name = ");
    }

    [Fact]
    public void Discover_FunctionAndClassWithSameName_NamesBothAndTheFix()
    {
        var problem = SingleProblem(typeof(Report), typeof(ReportJobs));

        AssertMentions(problem, "App 'clash'", "'report'", "Report and", "ReportJobs.ReportAsync", "Rename one");
    }

    [Fact]
    public void Discover_TwoMethodsWithSameNameInOneClass_NamesClassMethodAndFix()
    {
        var problem = SingleProblem(typeof(TwoGenerates));

        AssertMentions(problem, "[Cls] class TwoGenerates", "two methods named 'generate'", "[Method(Name = ...)]");
    }

    [Fact]
    public void Discover_TwoParametersWithSameWireName_NamesClassParameterAndFix()
    {
        var problem = SingleProblem(typeof(SameParameterName));

        AssertMentions(problem, "[Cls] class SameParameterName", "two parameters named 'name'", "[Parameter(Name = ...)]");
    }

    [Fact]
    public void Discover_EnterTakingAnInt_NamesHookAndAllowedParameters()
    {
        var problem = SingleProblem(typeof(EnterTakesInt));

        AssertMentions(problem, "[Enter] EnterTakesInt.Load", "takes parameters", "nothing or one CancellationToken");
    }

    [Fact]
    public void Discover_ExitTakingTwoParameters_NamesHookAndAllowedParameters()
    {
        var problem = SingleProblem(typeof(ExitTakesTwo));

        AssertMentions(problem, "[Exit] ExitTakesTwo.Unload", "takes parameters", "nothing or one CancellationToken");
    }

    [Fact]
    public void Discover_ExitReturningInt_NamesHookReturnTypeAndAllowedReturnTypes()
    {
        var problem = SingleProblem(typeof(ExitReturnsInt));

        AssertMentions(problem, "[Exit] ExitReturnsInt.Unload", "returns Int32", "void, Task or ValueTask");
    }

    [Fact]
    public void Discover_StaticEnter_NamesHookAndAsksForInstanceMethod()
    {
        var problem = SingleProblem(typeof(StaticEnter));

        AssertMentions(problem, "[Enter] StaticEnter.Load", "is static", "Make it an instance method");
    }

    [Fact]
    public void Discover_HookThatIsAlsoMethod_NamesBothMarkersAndAsksToSplit()
    {
        var problem = SingleProblem(typeof(HookAlsoMethod));

        AssertMentions(problem, "HookAlsoMethod.Load", "both [Method] and [Enter]", "split it into two methods");
    }

    [Fact]
    public void Discover_FunctionThatIsAlsoEnter_ReportsOneProblemNamingBothMarkers()
    {
        var problem = SingleProblem(typeof(FunctionAlsoEnter));

        AssertMentions(problem, "FunctionAlsoEnter.Warm", "both [Function] and [Enter]", "Keep one of them");
    }

    [Fact]
    public void Discover_ParameterOnGetOnlyProperty_NamesMemberAndAsksForSetter()
    {
        var problem = SingleProblem(typeof(GetOnlyParameter));

        AssertMentions(problem, "[Parameter] GetOnlyParameter.Name", "not settable", "set or init accessor");
    }

    [Fact]
    public void Discover_ParameterOnReadonlyField_NamesMemberAndAsksForNonReadonlyField()
    {
        var problem = SingleProblem(typeof(ReadonlyFieldParameter));

        AssertMentions(problem, "[Parameter] ReadonlyFieldParameter.Size", "not settable", "non-readonly");
    }

    [Fact]
    public void Discover_ParameterOnStaticProperty_NamesMemberAndAsksForInstanceMember()
    {
        var problem = SingleProblem(typeof(StaticParameter));

        AssertMentions(problem, "[Parameter] StaticParameter.Region", "is static", "on the instance");
    }

    [Fact]
    public void Discover_DefaultFromAConstructorArgument_NamesMemberAndSaysDefaultsCannotComeFromServices()
    {
        var problem = SingleProblem(typeof(NeedsArguments));

        AssertMentions(problem, "[Parameter] NeedsArguments.Name", "has no default", "cannot come from a constructor argument");
    }

    [Fact]
    public void Discover_ClsTakingServices_ReadsDefaultsFromInitializersWithoutServices()
    {
        var registry = AppDiscovery.Discover([typeof(TakesServices)]);

        var schema = registry.FindClass("shapes", "takes-services")!.Schema;
        Assert.True(schema.Bind([]).TryGetValue("size", out var size));
        Assert.Equal(7, size.AsInt());
    }

    [Fact]
    public void Discover_ClsWithOnlyAPrivateConstructorTakingArguments_NamesClassAndAsksForAPublicOne()
    {
        var problem = SingleProblem(typeof(PrivateConstructorOnly));

        AssertMentions(problem, "[Cls] class PrivateConstructorOnly", "no public constructor", "Add one");
    }

    [Fact]
    public void Discover_AbstractCls_NamesClassAndAsksForConcreteClass()
    {
        var problem = SingleProblem(typeof(AbstractModel));

        AssertMentions(problem, "[Cls] class AbstractModel", "abstract", "Make it a concrete, non-generic class");
    }

    [Fact]
    public void Discover_GenericCls_NamesClassAndAsksForNonGenericClass()
    {
        var problem = SingleProblem(typeof(GenericModel<>));

        AssertMentions(problem, "[Cls] class GenericModel", "is generic", "Make it a concrete, non-generic class");
    }

    [Fact]
    public void Discover_ClsConstructorThrows_NamesClassExceptionAndFix()
    {
        var problem = SingleProblem(typeof(ThrowingConstructor));

        AssertMentions(problem, "[Cls] class ThrowingConstructor", "InvalidOperationException", "weights missing", "move work to [Enter]");
    }

    [Fact]
    public void Discover_ClsConstructorThrowsWithDefaultedParameter_ReportsConstructorProblem()
    {
        var problem = SingleProblem(typeof(ThrowingConstructorWithDefault));

        AssertMentions(problem, "[Cls] class ThrowingConstructorWithDefault", "InvalidOperationException", "move work to [Enter]");
    }

    [Fact]
    public void Discover_ClsConstructorThrowsWithTwoParameters_ReportsConstructorOnce()
    {
        var problem = SingleProblem(typeof(ThrowingConstructorTwoParameters));

        AssertMentions(problem, "[Cls] class ThrowingConstructorTwoParameters", "InvalidOperationException");
    }

    [Fact]
    public void Discover_OptionalParameterWithoutDefault_NamesMemberAndOffersRequiredOrInitializer()
    {
        var problem = SingleProblem(typeof(NoDefault));

        AssertMentions(problem, "[Parameter] NoDefault.Name", "not 'required' and has no default", "Mark it 'required', or give it an initializer");
    }

    [Fact]
    public void Discover_InstanceFunctionInAConcreteClass_IsAFunction()
    {
        var registry = AppDiscovery.Discover([typeof(InstanceFunction)]);

        Assert.False(registry.FindFunction("placement", "run")!.Method.IsStatic);
    }

    [Fact]
    public void Discover_InstanceFunctionInAnAbstractClass_NamesFunctionAndAsksForAConcreteClass()
    {
        var problem = SingleProblem(typeof(AbstractInstanceFunction));

        AssertMentions(problem, "AbstractInstanceFunction.Run", "instance [Function] in an abstract class", "Make it static");
    }

    [Fact]
    public void Discover_StaticMethod_NamesMethodAndAsksForInstanceMethod()
    {
        var problem = SingleProblem(typeof(StaticMethod));

        AssertMentions(problem, "StaticMethod.Run", "static [Method]", "Make it an instance method, or mark it [Function]");
    }

    [Theory]
    [MemberData(nameof(MarkersWithoutCls))]
    public void Discover_ClassMarkerWithoutCls_NamesMemberAndAsksForCls(Type sample, string member, string marker)
    {
        var problem = SingleProblem(sample);

        AssertMentions(problem, member, $"marked {marker}", $"{sample.Name} has no [Cls] attribute", "Add [Cls] to the class");
    }

    [Fact]
    public void Discover_FunctionWithoutApp_NamesFunctionAndBothWaysToNameAnApp()
    {
        var problem = SingleProblem(typeof(NoApp));

        AssertMentions(problem, "NoApp.One", "belongs to no app", "[assembly: App(\"name\")]", "[App(\"name\")] on NoApp");
    }

    [Fact]
    public void Discover_ClsWithoutApp_NamesClassAndAsksForApp()
    {
        var problem = SingleProblem(typeof(NoAppModel));

        AssertMentions(problem, "NoAppModel belongs to no app", "[App(\"name\")] on NoAppModel");
    }

    [Fact]
    public void Discover_AppNameWithoutLetters_NamesAttributeAndAsksForRealName()
    {
        var problem = SingleProblem(typeof(UnderscoreApp));

        AssertMentions(problem, "[App(\"___\")] on UnderscoreApp", "no letters or digits", "Give it a name");
    }

    [Fact]
    public void Discover_AppNamedAmq_NamesAttributeAndReservedPrefix()
    {
        var problem = SingleProblem(typeof(AmqApp));

        AssertMentions(problem, "[App(\"amq\")] on AmqApp", "reserves names starting with 'amq.'", "Choose another app name");
    }

    [Theory]
    [MemberData(nameof(BadTimeouts))]
    public void Discover_TimeoutOutOfRangeOrUnparsable_NamesFunctionValueAndRange(Type sample, string text)
    {
        var problem = SingleProblem(sample);

        AssertMentions(problem, $"{sample.Name}.Run", $"Timeout=\"{text}\"", "between 00:00:01 and 1.00:00:00");
    }

    [Fact]
    public void Discover_ScaledownWindowOfOneSecond_NamesClassValueAndRange()
    {
        var problem = SingleProblem(typeof(ShortScaledown));

        AssertMentions(problem, "ShortScaledown has ScaledownWindow=\"00:00:01\"", "between 00:00:02 and 00:20:00");
    }

    [Fact]
    public void Discover_MinContainersAboveMaxContainers_NamesFunctionValuesAndRule()
    {
        var problem = SingleProblem(typeof(MinAboveMax));

        AssertMentions(problem, "MinAboveMax.Run", "MinContainers=5, MaxContainers=2", "MinContainers <= MaxContainers");
    }

    [Fact]
    public void Discover_NegativeMaxContainers_NamesFunctionValueAndRule()
    {
        var problem = SingleProblem(typeof(NegativeMax));

        AssertMentions(problem, "NegativeMax.Run", "MaxContainers=-1", "Both must be >= 0");
    }

    [Fact]
    public void Discover_ElevenRetries_NamesFunctionValueAndRange()
    {
        var problem = SingleProblem(typeof(ElevenRetries));

        AssertMentions(problem, "ElevenRetries.Run", "Retries=11", "Use 0 to 10");
    }

    [Fact]
    public void Discover_RetriesBackoffCoefficientEleven_NamesFunctionAndRanges()
    {
        var problem = SingleProblem(typeof(SteepBackoff));

        AssertMentions(problem, "[Retries] on SteepBackoff.Run", "out of range", "BackoffCoefficient 1 to 10");
    }

    [Fact]
    public void Discover_RetriesPropertyAndRetriesAttribute_NamesFunctionAndAsksToKeepOne()
    {
        var problem = SingleProblem(typeof(BothRetries));

        AssertMentions(problem, "BothRetries.Run", "both Retries= and [Retries]", "Keep one of them");
    }

    [Fact]
    public void Discover_BatchedWithMaxBatchSizeZero_NamesFunctionValuesAndRanges()
    {
        var problem = SingleProblem(typeof(EmptyBatch));

        AssertMentions(problem, "[Batched] on EmptyBatch.Twice", "MaxBatchSize=0", "1 <= MaxBatchSize <= 1000");
    }

    [Fact]
    public void Discover_BatchedWaitingLongerThanTenMinutes_NamesFunctionValuesAndRanges()
    {
        var problem = SingleProblem(typeof(LongBatchWait));

        AssertMentions(problem, "[Batched] on LongBatchWait.Twice", "WaitMs=600001", "0 <= WaitMs <= 600000");
    }

    [Fact]
    public void Discover_GenericFunction_NamesFunctionAndAsksForNonGeneric()
    {
        var problem = SingleProblem(typeof(GenericFunction));

        AssertMentions(problem, "GenericFunction.Echo", "is generic", "must be non-generic");
    }

    [Fact]
    public void Discover_RefParameter_NamesFunctionParameterAndFix()
    {
        var problem = SingleProblem(typeof(RefParameter));

        AssertMentions(problem, "RefParameter.Bump", "'value'", "ref, out or a pointer", "pass them by value");
    }

    [Fact]
    public void Discover_OutParameter_NamesFunctionParameterAndFix()
    {
        var problem = SingleProblem(typeof(OutParameter));

        AssertMentions(problem, "OutParameter.Measure", "'length'", "ref, out or a pointer", "pass them by value");
    }

    [Fact]
    public void Discover_TwoCancellationTokens_NamesFunctionAndAsksForOne()
    {
        var problem = SingleProblem(typeof(TwoTokens));

        AssertMentions(problem, "TwoTokens.Run", "two CancellationTokens", "Take at most one");
    }

    [Fact]
    public void Discover_AsyncEnumerableReturn_NamesFunctionAndOffersTaskOfList()
    {
        var problem = SingleProblem(typeof(StreamingFunction));

        AssertMentions(problem, "StreamingFunction.Stream", "IAsyncEnumerable", "Return a Task of a list instead");
    }

    [Fact]
    public void Discover_SeveralTypesWithOneMistakeEach_ThrowsOnceListingEveryProblem()
    {
        var exception = Fails(typeof(ElevenRetries), typeof(StaticMethod), typeof(DoubleParameter));

        Assert.Equal(3, exception.Problems.Count);
        Assert.StartsWith("The app definition has 3 problems:", exception.Message, StringComparison.Ordinal);
        Assert.All(exception.Problems, p => Assert.Contains(p, exception.Message, StringComparison.Ordinal));
        Assert.Contains(exception.Problems, p => p.Contains("ElevenRetries.Run", StringComparison.Ordinal));
        Assert.Contains(exception.Problems, p => p.Contains("StaticMethod.Run", StringComparison.Ordinal));
        Assert.Contains(exception.Problems, p => p.Contains("DoubleParameter.Ratio", StringComparison.Ordinal));
    }

    [Fact]
    public void Discover_OneClassWithFiveMistakes_ReportsAllFive()
    {
        var exception = Fails(typeof(ManyMistakes));

        Assert.Equal(5, exception.Problems.Count);
        Assert.StartsWith("The app definition has 5 problems:", exception.Message, StringComparison.Ordinal);
        Assert.All(exception.Problems, p => Assert.Contains(p, exception.Message, StringComparison.Ordinal));
        string[] expected = ["ManyMistakes.Ratio has type Double", "Timeout=\"abc\"", "Retries=11", "ManyMistakes.Load returns Int32", "ManyMistakes.Run is a static [Method]"];
        Assert.All(expected, e => Assert.Contains(exception.Problems, p => p.Contains(e, StringComparison.Ordinal)));
    }

    [Fact]
    public void Discover_ClassWithParametersOfEveryType_BuildsSchemaWithWireNamesTypesAndDefaults()
    {
        var cls = AppDiscovery.Discover([typeof(EveryType)]).FindClass("schema", "every-type");

        Assert.NotNull(cls);
        Assert.Equal("schema.every-type", cls.Schema.Owner);
        ParameterSpec[] expected =
        [
            new("name", ParameterType.String),
            ParameterSpec.ForInt("size"),
            new("seed", ParameterType.Int),
            new("verbose", ParameterType.Bool),
            new("blob", ParameterType.Bytes),
            new("label", ParameterType.String, ParameterValue.FromString("base")),
            ParameterSpec.ForInt("count", ParameterValue.FromInt(3)),
            new("budget", ParameterType.Int, ParameterValue.FromInt(5_000_000_000)),
            new("enabled", ParameterType.Bool, ParameterValue.FromBool(true)),
            new("salt", ParameterType.Bytes, ParameterValue.FromBytes([1, 2, 3])),
            ParameterSpec.ForInt("maxLength", ParameterValue.FromInt(512)),
            ParameterSpec.ForInt("max_tokens", ParameterValue.FromInt(256)),
            new("region", ParameterType.String, ParameterValue.FromString("eu")),
        ];
        Assert.Equal(expected.OrderBy(p => p.Name, StringComparer.Ordinal), cls.Schema.Parameters.OrderBy(p => p.Name, StringComparer.Ordinal));
        Assert.All(cls.Schema.Parameters.Where(p => p.IsRequired), p => Assert.Null(p.Default));
        Assert.Equal(cls.Schema.Parameters, cls.Parameters.Select(p => p.Spec));
        // A C# int takes 32-bit values only (a larger one is refused by every caller before it names a pool); long all 64.
        Assert.Equal([true, true, true, true], cls.Schema.Parameters.Where(p => p.Name is "size" or "count" or "maxLength" or "max_tokens").Select(p => p.IsInt32));
        Assert.Equal([false, false], cls.Schema.Parameters.Where(p => p.Name is "seed" or "budget").Select(p => p.IsInt32));
    }

    [Theory]
    [InlineData(typeof(HookDerived))]
    [InlineData(typeof(HookDerivedMarked))]
    public void Discover_HooksAcrossHierarchy_BaseClassFirstThenDeclarationOrderOverrideOnceAtBasePosition(Type sample)
    {
        var cls = Assert.Single(Assert.Single(AppDiscovery.Discover([sample]).Apps).Classes.Values);

        Assert.Equal(["First", "Second", "Third", "FourthAsync"], cls.EnterHooks.Select(m => m.Name));
        Assert.Equal(typeof(HookBase), cls.EnterHooks[1].DeclaringType);
        Assert.Equal(["Closing", "Release", "ReleaseMoreAsync"], cls.ExitHooks.Select(m => m.Name));
        var instance = (HookBase)Activator.CreateInstance(sample)!;
        cls.EnterHooks[1].Invoke(instance, null);
        Assert.Equal(["derived-second"], instance.Calls);
    }

    [Fact]
    public void Discover_AbstractBaseWithHooksAlsoDiscovered_AcceptsTheHierarchy()
    {
        // Discovering an assembly visits every type, the base class of a [Cls] class included.
        var registry = AppDiscovery.Discover([typeof(HookBase), typeof(HookDerived)]);

        var cls = Assert.Single(Assert.Single(registry.Apps).Classes.Values);
        Assert.Equal(typeof(HookDerived), cls.Type);
    }

    [Fact]
    public void Discover_DerivedOverridesBaseMethod_MethodAppearsOnce()
    {
        var cls = Assert.Single(Assert.Single(AppDiscovery.Discover([typeof(OverridingModel)]).Apps).Classes.Values);

        Assert.Equal(["generate", "score"], cls.Methods.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("derived", cls.Methods["generate"].Method.Invoke(new OverridingModel(), null));
    }

    [Fact]
    public void Discover_Names_NormalizeToKebabCaseWithoutAsyncOrUseTheGivenName()
    {
        var app = AppDiscovery.Discover([typeof(NamingJobs), typeof(LLMModel)]).FindApp("nightly-jobs");

        Assert.NotNull(app);
        Assert.Equal("nightly-jobs", app.Name);
        Assert.Equal(["custom", "nightly-report"], app.Functions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(nameof(NamingJobs.NightlyReportAsync), app.Functions["nightly-report"].Method.Name);
        Assert.Equal(nameof(NamingJobs.Something), app.Functions["custom"].Method.Name);
        Assert.Equal("nightly-jobs.nightly-report", app.Functions["nightly-report"].DisplayName);
        var cls = Assert.Single(app.Classes.Values);
        Assert.Equal("llm-model", cls.Name);
        Assert.Equal(["generate-text", "score-fast"], cls.Methods.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("nightly-jobs.llm-model.generate-text", cls.Methods["generate-text"].DisplayName);
    }

    [Fact]
    public void Discover_FunctionWithoutOptions_GetsDefaultSettings()
    {
        var settings = Function(typeof(SettingsJobs), "plain").Settings;

        Assert.Equal(TimeSpan.FromSeconds(300), settings.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.ScaledownWindow);
        Assert.Equal(0, settings.Retries.MaxRetries);
        Assert.Null(settings.Gpu);
        Assert.Equal(0, settings.MinContainers);
        Assert.Equal(0, settings.MaxContainers);
    }

    [Fact]
    public void Discover_FunctionWithOptions_ReadsEveryOption()
    {
        var settings = Function(typeof(SettingsJobs), "configured").Settings;

        Assert.Equal(TimeSpan.FromMinutes(10), settings.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.ScaledownWindow);
        Assert.Equal(RetryPolicy.Fixed(3), settings.Retries);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.Retries.DelayBefore(1));
        Assert.Equal(TimeSpan.FromSeconds(1), settings.Retries.DelayBefore(3));
        Assert.Equal("H100", settings.Gpu);
        Assert.Equal(1, settings.MinContainers);
        Assert.Equal(4, settings.MaxContainers);
    }

    [Fact]
    public void Discover_RetriesAttribute_GivesExponentialDelaysCappedAtMax()
    {
        var retries = Function(typeof(SettingsJobs), "backoff").Settings.Retries;

        Assert.Equal(3, retries.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(2), retries.DelayBefore(1));
        Assert.Equal(TimeSpan.FromSeconds(6), retries.DelayBefore(2));
        Assert.Equal(TimeSpan.FromSeconds(10), retries.DelayBefore(3));
    }

    [Fact]
    public void Discover_FunctionWithBatchedAndSchedules_KeepsThem()
    {
        var function = Function(typeof(SettingsJobs), "nightly");

        Assert.NotNull(function.Batched);
        Assert.Equal(8, function.Batched.MaxBatchSize);
        Assert.Equal(50, function.Batched.WaitMs);
        Assert.Equal(2, function.Schedules.Count);
        Assert.Contains(function.Schedules, s => s is { Cron: "0 3 * * *", Period: null });
        Assert.Contains(function.Schedules, s => s is { Cron: null, Period: "1d" });
    }

    [Fact]
    public void Discover_ClsOptions_ApplyToItsMethodsAndMethodRetriesOverrideClassRetries()
    {
        var cls = Assert.Single(Assert.Single(AppDiscovery.Discover([typeof(SettingsModel)]).Apps).Classes.Values);

        Assert.Equal(TimeSpan.FromMinutes(20), cls.Settings.Timeout);
        Assert.Equal(2, cls.Settings.Retries.MaxRetries);
        Assert.Equal(TimeSpan.FromMinutes(20), cls.Methods["inherit"].Settings.Timeout);
        Assert.Equal(2, cls.Methods["inherit"].Settings.Retries.MaxRetries);
        Assert.Equal(TimeSpan.FromMinutes(20), cls.Methods["own-retries"].Settings.Timeout);
        Assert.Equal(5, cls.Methods["own-retries"].Settings.Retries.MaxRetries);
    }

    [Fact]
    public void Discover_AppOnClassAndOnAssembly_ClassAttributeWins()
    {
        var assembly = EmitAssembly(assemblyApp: "assembly-app", ("Jobs", null, "Ping"), ("Owned", "class-app", "Pong"));

        var registry = AppDiscovery.Discover(assembly);

        Assert.Equal(["assembly-app", "class-app"], registry.Apps.Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["ping"], registry.FindApp("assembly-app")!.Functions.Keys);
        Assert.Equal(["pong"], registry.FindApp("class-app")!.Functions.Keys);
    }

    private static Callable Function(Type type, string name) =>
        Assert.Single(AppDiscovery.Discover([type]).Apps).Functions[name];

    private static AppDefinitionException Fails(params Type[] types) =>
        Assert.Throws<AppDefinitionException>(() => AppDiscovery.Discover(types));

    private static string SingleProblem(params Type[] types) => Assert.Single(Fails(types).Problems);

    private static void AssertMentions(string problem, params string[] parts)
    {
        foreach (var part in parts)
        {
            Assert.Contains(part, problem, StringComparison.Ordinal);
        }
    }

    /// <summary>Builds an assembly with <c>[assembly: App]</c> and static classes holding one [Function] each.</summary>
    private static AssemblyBuilder EmitAssembly(string assemblyApp, params (string Type, string? App, string Function)[] classes)
    {
        var appConstructor = typeof(AppAttribute).GetConstructor([typeof(string)])!;
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("EmittedApp" + Guid.NewGuid().ToString("N")), AssemblyBuilderAccess.Run);
        assembly.SetCustomAttribute(new CustomAttributeBuilder(appConstructor, [assemblyApp]));
        var module = assembly.DefineDynamicModule("EmittedApp");
        foreach (var (typeName, app, function) in classes)
        {
            var type = module.DefineType(typeName, TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed);
            if (app is not null)
            {
                type.SetCustomAttribute(new CustomAttributeBuilder(appConstructor, [app]));
            }

            var method = type.DefineMethod(function, MethodAttributes.Public | MethodAttributes.Static, typeof(int), Type.EmptyTypes);
            method.SetCustomAttribute(new CustomAttributeBuilder(typeof(FunctionAttribute).GetConstructor(Type.EmptyTypes)!, []));
            var il = method.GetILGenerator();
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Ret);
            type.CreateType();
        }

        return assembly;
    }

    // ----- Parameter types -----
    [App("params"), Cls]
    public sealed class DoubleParameter
    {
        [Parameter] public required double Ratio { get; init; }
    }

    [App("params"), Cls]
    public sealed class DateTimeParameter
    {
        [Parameter] public required DateTime Since { get; init; }
    }

    [App("params"), Cls]
    public sealed class ListParameter
    {
        [Parameter] public required List<string> Tags { get; init; }
    }

    [App("params"), Cls]
    public sealed class SameParameterName
    {
        [Parameter] public string Name { get; init; } = "a";

        [Parameter(Name = "NAME")] public string Other { get; init; } = "b";
    }

    [App("params"), Cls]
    public sealed class GetOnlyParameter
    {
        [Parameter] public string Name { get; } = "a";
    }

    [App("params"), Cls]
    public sealed class ReadonlyFieldParameter
    {
        [Parameter] internal readonly int Size = 1;
    }

    [App("params"), Cls]
    public sealed class StaticParameter
    {
        [Parameter] public static string Region { get; set; } = "eu";
    }

    [App("params"), Cls]
    public sealed class NoDefault
    {
        [Parameter] public string? Name { get; set; }
    }

    // ----- Names -----
    [App("dupes")]
    public static class RunTwice
    {
        [Function]
        public static int Run() => 1;

        [Function]
        public static Task<int> RunAsync() => Task.FromResult(2);
    }

    [App("clash"), Cls]
    public sealed class Report
    {
        [Method]
        public string Render() => nameof(Report);
    }

    [App("clash")]
    public static class ReportJobs
    {
        [Function]
        public static string ReportAsync() => nameof(ReportJobs);
    }

    [App("dupes"), Cls]
    public sealed class TwoGenerates
    {
        [Method]
        public string Generate() => nameof(Generate);

        [Method(Name = "generate")]
        public string Other() => nameof(Other);
    }

    // ----- Hooks -----
    [App("hooks"), Cls]
    public sealed class EnterTakesInt
    {
        public int Loaded { get; private set; }

        [Enter]
        public void Load(int x) => Loaded = x;
    }

    [App("hooks"), Cls]
    public sealed class ExitTakesTwo
    {
        public bool Unloaded { get; private set; }

        [Exit]
        public void Unload(CancellationToken first, CancellationToken second) => Unloaded = first == second;
    }

    [App("hooks"), Cls]
    public sealed class ExitReturnsInt
    {
        public int Count { get; private set; }

        [Exit]
        public int Unload() => Count++;
    }

    [App("hooks"), Cls]
    public sealed class StaticEnter
    {
        public static bool Loaded { get; private set; }

        [Enter]
        public static void Load() => Loaded = true;
    }

    [App("hooks"), Cls]
    public sealed class HookAlsoMethod
    {
        public bool Loaded { get; private set; }

        [Enter, Method]
        public void Load() => Loaded = true;
    }

    [App("hooks")]
    public static class FunctionAlsoEnter
    {
        [Function, Enter]
        public static int Warm() => 1;
    }

    // ----- Class shape -----
    [App("shapes"), Cls]
    public sealed class NeedsArguments(string name)
    {
        [Parameter] public string Name { get; set; } = name;
    }

    public sealed class Clock;

    [App("shapes"), Cls]
    public sealed class TakesServices
    {
        public TakesServices(Clock clock)
        {
            ArgumentNullException.ThrowIfNull(clock);
        }

        [Parameter] public int Size { get; set; } = 7;

        [Method]
        public int Run() => Size;
    }

    [App("shapes"), Cls]
    public sealed class PrivateConstructorOnly
    {
        private PrivateConstructorOnly(Clock clock) => _ = clock;

        [Method]
        public int Run() => 1;
    }

    [App("shapes"), Cls]
    public abstract class AbstractModel
    {
        [Method]
        public abstract string Run();
    }

    [App("shapes"), Cls]
    public sealed class GenericModel<T>
    {
        [Parameter] public string Name { get; set; } = typeof(T).Name;
    }

    [App("shapes"), Cls]
    public sealed class ThrowingConstructor
    {
        public ThrowingConstructor() => throw new InvalidOperationException("weights missing");

        [Parameter] public required string Name { get; init; }
    }

    [App("shapes"), Cls]
    public sealed class ThrowingConstructorWithDefault
    {
        public ThrowingConstructorWithDefault() => throw new InvalidOperationException("weights missing");

        [Parameter] public string Name { get; init; } = "default";
    }

    [App("shapes"), Cls]
    public sealed class ThrowingConstructorTwoParameters
    {
        public ThrowingConstructorTwoParameters() => throw new InvalidOperationException("weights missing");

        [Parameter] public required string Name { get; init; }

        [Parameter] public required int Size { get; init; }
    }

    // ----- Placement -----
    [App("placement")]
    public abstract class AbstractInstanceFunction
    {
        [Function]
        public string Run() => "x";
    }

    [App("placement")]
    public sealed class InstanceFunction
    {
        public string Prefix { get; set; } = "x";

        [Function]
        public string Run() => Prefix;
    }

    [App("placement"), Cls]
    public sealed class StaticMethod
    {
        [Method]
        public static string Run() => nameof(Run);
    }

    [App("placement")]
    public sealed class MethodWithoutCls
    {
        public string Prefix { get; set; } = "x";

        [Method]
        public string Generate() => Prefix;
    }

    [App("placement")]
    public sealed class EnterWithoutCls
    {
        public bool Loaded { get; private set; }

        [Enter]
        public void Load() => Loaded = true;
    }

    [App("placement")]
    public sealed class ExitWithoutCls
    {
        public bool Unloaded { get; private set; }

        [Exit]
        public void Unload() => Unloaded = true;
    }

    [App("placement")]
    public sealed class ParameterWithoutCls
    {
        [Parameter] public string Name { get; set; } = "a";
    }

    // ----- Apps -----
    public static class NoApp
    {
        [Function]
        public static int One() => 1;
    }

    [Cls]
    public sealed class NoAppModel
    {
        [Parameter] public string Name { get; set; } = "a";
    }

    [App("___")]
    public static class UnderscoreApp
    {
        [Function]
        public static int One() => 1;
    }

    [App("amq")]
    public static class AmqApp
    {
        [Function]
        public static int One() => 1;
    }

    // ----- Options -----
    [App("options")]
    public static class TimeoutHalfSecond
    {
        [Function(Timeout = "00:00:00.5")]
        public static int Run() => 1;
    }

    [App("options")]
    public static class TimeoutTwentyFiveHours
    {
        [Function(Timeout = "25:00:00")]
        public static int Run() => 1;
    }

    [App("options")]
    public static class TimeoutNotATimeSpan
    {
        [Function(Timeout = "abc")]
        public static int Run() => 1;
    }

    [App("options"), Cls(ScaledownWindow = "00:00:01")]
    public sealed class ShortScaledown
    {
        [Parameter] public string Name { get; set; } = "a";
    }

    [App("options")]
    public static class MinAboveMax
    {
        [Function(MinContainers = 5, MaxContainers = 2)]
        public static int Run() => 1;
    }

    [App("options")]
    public static class NegativeMax
    {
        [Function(MaxContainers = -1)]
        public static int Run() => 1;
    }

    [App("options")]
    public static class ElevenRetries
    {
        [Function(Retries = 11)]
        public static int Run() => 1;
    }

    [App("options")]
    public static class SteepBackoff
    {
        [Function, Retries(3, BackoffCoefficient = 11)]
        public static int Run() => 1;
    }

    [App("options")]
    public static class BothRetries
    {
        [Function(Retries = 2), Retries(3)]
        public static int Run() => 1;
    }

    [App("options")]
    public static class EmptyBatch
    {
        [Function, Batched(MaxBatchSize = 0, WaitMs = 10)]
        public static int[] Twice(int[] values) => [.. values.Select(v => v * 2)];
    }

    [App("options")]
    public static class LongBatchWait
    {
        [Function, Batched(MaxBatchSize = 8, WaitMs = 600_001)]
        public static int[] Twice(int[] values) => [.. values.Select(v => v * 2)];
    }

    // ----- Signatures -----
    [App("signatures")]
    public static class GenericFunction
    {
        [Function]
        public static T Echo<T>(T value) => value;
    }

    [App("signatures")]
    public static class RefParameter
    {
        [Function]
        public static void Bump(ref int value) => value++;
    }

    [App("signatures")]
    public static class OutParameter
    {
        [Function]
        public static bool Measure(string text, out int length)
        {
            length = text.Length;
            return true;
        }
    }

    [App("signatures")]
    public static class TwoTokens
    {
        [Function]
        public static bool Run(CancellationToken first, CancellationToken second) => first == second;
    }

    [App("signatures")]
    public static class StreamingFunction
    {
        [Function]
        public static async IAsyncEnumerable<int> Stream()
        {
            await Task.Yield();
            yield return 1;
        }
    }

    // ----- Several mistakes -----
    [App("many"), Cls(Timeout = "abc", Retries = 11)]
    public sealed class ManyMistakes
    {
        [Parameter] public double Ratio { get; set; } = 0.5;

        [Enter]
        public int Load() => 1;

        [Method]
        public static int Run() => 1;
    }

    // ----- Valid apps -----
    [App("schema"), Cls]
    public sealed class EveryType
    {
        [Parameter] internal string Region = "eu";

        [Parameter] public required string Name { get; init; }

        [Parameter] public required int Size { get; init; }

        [Parameter] public required long Seed { get; init; }

        [Parameter] public required bool Verbose { get; init; }

        [Parameter] public required byte[] Blob { get; init; }

        [Parameter] public string Label { get; init; } = "base";

        [Parameter] public int Count { get; set; } = 3;

        [Parameter] public long Budget { get; init; } = 5_000_000_000;

        [Parameter] public bool Enabled { get; init; } = true;

        [Parameter] public byte[] Salt { get; init; } = [1, 2, 3];

        [Parameter] public int MaxLength { get; init; } = 512;

        [Parameter(Name = "max_tokens")] public int MaxTokens { get; init; } = 256;

        [Method]
        public string Describe() => $"{Region} {Name}";
    }

    public abstract class HookBase
    {
        public List<string> Calls { get; } = [];

        [Enter]
        public void First() => Calls.Add("base-first");

        [Enter]
        public virtual void Second() => Calls.Add("base-second");

        [Exit]
        public void Closing() => Calls.Add("base-closing");
    }

    [App("hooks"), Cls]
    public sealed class HookDerived : HookBase
    {
        [Enter]
        public void Third() => Calls.Add("third");

        public override void Second() => Calls.Add("derived-second");

        [Exit]
        public void Release() => Calls.Add("release");

        [Enter]
        public Task FourthAsync(CancellationToken cancellationToken)
        {
            Calls.Add("fourth");
            return Task.CompletedTask;
        }

        [Exit]
        public ValueTask ReleaseMoreAsync()
        {
            Calls.Add("release-more");
            return ValueTask.CompletedTask;
        }
    }

    [App("hooks"), Cls]
    public sealed class HookDerivedMarked : HookBase
    {
        [Enter]
        public void Third() => Calls.Add("third");

        [Enter]
        public override void Second() => Calls.Add("derived-second");

        [Exit]
        public void Release() => Calls.Add("release");

        [Enter]
        public Task FourthAsync(CancellationToken cancellationToken)
        {
            Calls.Add("fourth");
            return Task.CompletedTask;
        }

        [Exit]
        public ValueTask ReleaseMoreAsync()
        {
            Calls.Add("release-more");
            return ValueTask.CompletedTask;
        }
    }

    public abstract class MethodBase
    {
        public string Kind { get; protected set; } = "base";

        [Method]
        public virtual string Generate() => Kind;

        [Method]
        public string Score() => Kind + "-score";
    }

    [App("overrides"), Cls]
    public sealed class OverridingModel : MethodBase
    {
        public override string Generate() => "derived";
    }

    [App("Nightly Jobs")]
    public static class NamingJobs
    {
        [Function]
        public static Task<string> NightlyReportAsync() => Task.FromResult("report");

        [Function(Name = "custom")]
        public static int Something() => 1;
    }

    [App("nightly-jobs"), Cls]
    public sealed class LLMModel
    {
        public string Prefix { get; set; } = "llm";

        [Method]
        public Task<string> GenerateTextAsync(string prompt) => Task.FromResult(Prefix + prompt);

        [Method(Name = "Score_Fast")]
        public int Score(string text) => text.Length + Prefix.Length;
    }

    [App("settings")]
    public static class SettingsJobs
    {
        [Function]
        public static int Plain() => 1;

        [Function(Timeout = "00:10:00", Retries = 3, Gpu = " H100 ", MinContainers = 1, MaxContainers = 4, ScaledownWindow = "00:05:00")]
        public static int Configured() => 1;

        [Function, Retries(3, BackoffCoefficient = 3, InitialDelaySeconds = 2, MaxDelaySeconds = 10)]
        public static int Backoff() => 1;

        [Function, Batched(MaxBatchSize = 8, WaitMs = 50), Schedule(Cron = "0 3 * * *"), Schedule(Period = "1d")]
        public static int[] Nightly(int[] values) => values;
    }

    [App("settings"), Cls(Timeout = "00:20:00"), Retries(2)]
    public sealed class SettingsModel
    {
        public int Calls { get; private set; }

        [Method]
        public int Inherit() => ++Calls;

        [Method, Retries(5)]
        public int OwnRetries() => ++Calls;
    }
}
