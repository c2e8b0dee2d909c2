using System.Text.Json;
using Pipeline.Messages.Invocations;

namespace Pipeline.Messages.Tests.Invocations;

public sealed class PayloadJsonTests
{
    [Fact]
    public void Options_Serialize_UsesCamelCaseNames()
    {
        var json = JsonSerializer.Serialize(new Report(7, "done"), PayloadJson.Options);

        Assert.Equal("""{"rowCount":7,"title":"done"}""", json);
    }

    [Fact]
    public void Options_Deserialize_ReadsNamesInAnyCase()
    {
        var report = JsonSerializer.Deserialize<Report>("""{"ROWCOUNT": 7, "Title": "done"}""", PayloadJson.Options);

        Assert.Equal(new Report(7, "done"), report);
    }

    [Fact]
    public void Options_Deserialize_TypeNameInPayloadDoesNotChooseType()
    {
        var value = JsonSerializer.Deserialize<object>(
            """{"$type": "System.IO.FileInfo, System.Private.CoreLib", "fileName": "/etc/passwd"}""",
            PayloadJson.Options);

        var element = Assert.IsType<JsonElement>(value);
        Assert.Equal(JsonValueKind.Object, element.ValueKind);
    }

    [Fact]
    public void Options_Shared_CannotBeChanged()
    {
        Assert.True(PayloadJson.Options.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => PayloadJson.Options.PropertyNameCaseInsensitive = false);
    }

    public sealed record Report(int RowCount, string Title);
}
