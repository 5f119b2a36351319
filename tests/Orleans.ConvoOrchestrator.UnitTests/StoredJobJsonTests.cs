using System.Text;
using System.Text.Json;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Grains;

namespace Orleans.ConvoOrchestrator.UnitTests;

public sealed class StoredJobJsonTests
{
    private const string Id = "0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset At = new(2026, 11, 27, 3, 10, 4, 123, TimeSpan.Zero);

    [Fact]
    public void A_job_with_every_field_set_reads_back_equal()
    {
        var job = new QueuedJob(Id, 42, """{"a":[1,2]}""", new TriggerId("tr"), "corr-1", At, At.AddSeconds(-1), 3,
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

        Assert.Equal(job, StoredJobJson.Deserialize(Id, StoredJobJson.Serialize(job)));
    }

    [Fact]
    public void What_the_id_says_and_defaults_are_left_out_and_read_back()
    {
        var job = new QueuedJob(Id, 7, "0", null, Id, At, null);
        var bytes = StoredJobJson.Serialize(job);
        var text = Encoding.UTF8.GetString(bytes);

        Assert.DoesNotContain(Id, text); // neither the job id nor the correlation id equal to it
        Assert.DoesNotContain("null", text);
        Assert.DoesNotContain("deliveries", text);
        Assert.True(bytes.Length < 100, text);
        Assert.Equal(job, StoredJobJson.Deserialize(Id, bytes));
    }

    [Fact]
    public void A_record_in_the_full_form_of_earlier_versions_reads_the_same()
    {
        var job = new QueuedJob(Id, 9, "\"x\"", new TriggerId("tr"), Id, At, null, 1);
        var full = JsonSerializer.SerializeToUtf8Bytes(job, new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Equal(job, StoredJobJson.Deserialize(Id, full));
    }

    [Fact]
    public void A_record_that_is_not_a_job_is_an_error()
    {
        Assert.Throws<JsonException>(() => StoredJobJson.Deserialize(Id, "[1,2]"u8));
        Assert.Null(StoredJobJson.Deserialize(Id, "null"u8));
    }
}
