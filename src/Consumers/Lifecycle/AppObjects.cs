using Microsoft.Extensions.DependencyInjection;
using Pipeline.Consumers.Discovery;
using Pipeline.Messages.Parameters;

namespace Pipeline.Consumers.Lifecycle;

/// <summary>
/// The one seam where app objects are built: <c>[Cls]</c> instances (a DI scope per container) and the classes holding
/// instance <c>[Function]</c>s (a scope per input), through the host's <see cref="IServiceProvider"/> with constructor
/// injection (<see cref="ActivatorUtilities"/>). Besides services, a constructor takes every extra argument the caller
/// passes, and a class the parameters record of its contract; <see cref="ContainerContext.Current"/> is already set while it runs.
/// </summary>
internal sealed class AppObjects(IServiceProvider services)
{
    /// <summary>Builds objects from an empty provider: classes whose constructors take no services (unit tests).</summary>
    public static AppObjects Empty { get; } = new(new NoServices());

    /// <summary>A scope for one container's or one input's objects; dispose it when they are done.</summary>
    public AsyncServiceScope CreateScope() => services.CreateAsyncScope();

    /// <summary>
    /// Builds a <c>[Cls]</c> instance in <paramref name="scope"/>, handing its constructor the contract's parameters
    /// record built from <paramref name="parameters"/> when it takes one, and sets its <c>[Parameter]</c> members from
    /// them (after the constructor, as before constructor injection).
    /// </summary>
    /// <param name="scope">The container's scope.</param>
    /// <param name="cls">The class.</param>
    /// <param name="parameters">The container's parameter values, defaults applied.</param>
    /// <param name="extra">Values the constructor takes besides services (a parameters record); each must be taken.</param>
    public static object CreateInstance(IServiceProvider scope, ClassDefinition cls, ParameterSet parameters, params object[] extra)
    {
        var instance = cls.Record is { Injected: true } record
            ? Create(scope, cls.Type, [record.Build(parameters), .. extra])
            : Create(scope, cls.Type, extra);
        foreach (var parameter in cls.Parameters)
        {
            parameters.TryGetValue(parameter.Spec.Name, out var value);
            parameter.Assign(instance, value);
        }

        return instance;
    }

    /// <summary>Builds the object an instance <c>[Function]</c> runs on, in the input's <paramref name="scope"/>.</summary>
    /// <param name="scope">The input's scope.</param>
    /// <param name="type">The class holding the function.</param>
    /// <param name="extra">Values the constructor takes besides services; each must be taken.</param>
    public static object Create(IServiceProvider scope, Type type, params object[] extra) =>
        // A class with only a non-public parameterless constructor is built as before (ActivatorUtilities wants a public one).
        type.GetConstructors().Length == 0
            ? Activator.CreateInstance(type, nonPublic: true)!
            : ActivatorUtilities.CreateInstance(scope, type, extra);

    // No services at all; scopes of it are itself.
    private sealed class NoServices : IServiceProvider, IServiceScopeFactory, IServiceScope
    {
        public IServiceProvider ServiceProvider => this;

        public object? GetService(Type serviceType) =>
            serviceType == typeof(IServiceScopeFactory) || serviceType == typeof(IServiceProvider) ? this : null;

        public IServiceScope CreateScope() => this;

        public void Dispose()
        {
            // Nothing to dispose.
        }
    }
}
