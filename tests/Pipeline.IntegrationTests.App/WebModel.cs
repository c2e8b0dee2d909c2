namespace Pipeline.IntegrationTests.App;

/// <summary>The class of Modal's parameterized web endpoint page: each (foo, bar) is its own pool, entered once.</summary>
[Cls]
public sealed class WebModel
{
    [Parameter] public required string Foo { get; init; }

    [Parameter] public int Bar { get; init; } = 10;

    [Enter]
    public void Load() => Events.Write("enter", Subject);

    [WebEndpoint]
    public WebReply Baz(string qux = "default") => new(Foo, Bar, qux, ContainerContext.Current?.Queue ?? "", Environment.ProcessId);

    [Exit]
    public void Unload() => Events.Write("exit", Subject);

    private string Subject => $"web-model/{Foo}/{Bar}";
}
