using Dashboard.Domain;
using Dashboard.Features.Prompts;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dashboard.IntegrationTests.Prompts;

public class PromptSchedulerTests(SeededApp fixture) : IClassFixture<SeededApp>
{
    [Fact]
    public async Task Scheduling_creates_future_prompts_inside_waking_hours_once_however_often_it_runs()
    {
        var scheduler = fixture.App.Services.GetRequiredService<PromptScheduler>();
        var options = fixture.App.Services.GetRequiredService<IOptions<ScheduleOptions>>().Value;

        // The hosted scheduler ran when the app started; nothing it created may be due before that.
        var started = fixture.App.StartedAt;
        await scheduler.ScheduleAsync(CancellationToken.None);
        var afterFirst = await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM prompts");
        var createdAgain = await scheduler.ScheduleAsync(CancellationToken.None);

        Assert.Equal(0, createdAgain);
        Assert.Equal(afterFirst, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM prompts"));
        Assert.InRange(afterFirst, 60 * options.PromptsPerDay, 60 * options.PromptsPerDay * 2);
        Assert.Equal(0, await Sql.CountAsync(fixture.App.ConnectionString, 
            "SELECT count(*) FROM prompts WHERE due_at <= $1", started));
        Assert.Equal(0, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM prompts WHERE (due_at AT TIME ZONE 'Europe/London')::time < $1 OR (due_at AT TIME ZONE 'Europe/London')::time >= $2",
            options.WakingStart, options.WakingEnd));
        Assert.Equal(0, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM prompts WHERE window_ends_at - due_at <> interval '15 minutes' OR status <> 'Pending'"));
    }
}
