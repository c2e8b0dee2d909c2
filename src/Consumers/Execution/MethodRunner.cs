using System.Collections.Concurrent;
using System.Reflection;

namespace Pipeline.Consumers.Execution;

/// <summary>Calls a discovered method and awaits it whatever its shape: sync, Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt;.</summary>
internal static class MethodRunner
{
    private static readonly ConcurrentDictionary<Type, Func<object, Task<object?>>> Awaiters = new();

    /// <summary>
    /// Runs the method on the thread pool, so the caller gets a task at once even when the method blocks (a synchronous
    /// function, or an async one that blocks before its first await): a per-attempt timeout then fires at its deadline,
    /// whatever the method does. .NET cannot abort a thread, so a method that ignores its token runs on after that.
    /// </summary>
    public static Task<object?> StartAsync(MethodInfo method, object? target, object?[] arguments) =>
        Task.Run(() => RunAsync(method, target, arguments));

    public static async Task<object?> RunAsync(MethodInfo method, object? target, object?[] arguments)
    {
        var returned = method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
        if (returned is null)
        {
            return null;
        }

        var type = method.ReturnType;
        if (type == typeof(Task) || type == typeof(ValueTask))
        {
            await (returned is ValueTask valueTask ? valueTask.AsTask() : (Task)returned).ConfigureAwait(false);
            return null;
        }

        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return await Awaiters.GetOrAdd(type, Build)(returned).ConfigureAwait(false);
        }

        return returned;
    }

    private static Func<object, Task<object?>> Build(Type type)
    {
        var name = type.GetGenericTypeDefinition() == typeof(Task<>) ? nameof(AwaitTaskAsync) : nameof(AwaitValueTaskAsync);
        return typeof(MethodRunner).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type.GetGenericArguments()[0])
            .CreateDelegate<Func<object, Task<object?>>>();
    }

    private static async Task<object?> AwaitTaskAsync<T>(object task) => await ((Task<T>)task).ConfigureAwait(false);

    private static async Task<object?> AwaitValueTaskAsync<T>(object task) => await ((ValueTask<T>)task).ConfigureAwait(false);
}
