namespace Pipeline.IntegrationTests.Contracts;

/// <summary>A class built by the worker host's services (<c>itest.injected-model</c>) as its callers see it.</summary>
[Contract]
public interface IInjectedModel : IParameterized<InjectedModelParameters>
{
    /// <summary>Greets <paramref name="who"/> through the app's services: "hello who! (name, greeter id)".</summary>
    /// <param name="who">Whom to greet.</param>
    string Greet(string who);

    /// <summary>Says what the instance was built with: its parameters record, services, queue and identity.</summary>
    /// <param name="who">Whom the injected greeter greets.</param>
    InjectedDescription Describe(string who);
}
