namespace Pipeline.IntegrationTests.App;

/// <summary>What <see cref="WebModel.Baz"/> returns: the pool's parameters, the argument, and the pool queue it ran on.</summary>
public sealed record WebReply(string Foo, int Bar, string Qux, string Queue, int Pid);
