using ComposeGate.Web.Features.Jobs;

namespace ComposeGate.Tests.Jobs;

/// <summary>
/// Schedules as the start-up check reads them: cron in five fields or six with seconds; what the Quartz release
/// accepted but would now mean something else (a year field, weekdays by number) is refused with the reason.
/// </summary>
public sealed class CronScheduleTests
{
    [Theory]
    [InlineData("*/15 * * * *")]
    [InlineData("0 */15 * * * *")]
    [InlineData("0 0 3 ? * MON-FRI")]
    [InlineData("30 2 * * SUN")]
    public void Valid_HasNoProblem(string schedule) => Assert.Null(CronSchedule.Problem(schedule));

    [Theory]
    [InlineData("0 0 3 1 1 ? 2099", "a year field")]
    [InlineData("0 0 3 ? * 2", "names weekdays by number")]
    [InlineData("0 2 * * 1-5", "names weekdays by number")]
    [InlineData("every night", "needs 5 fields")]
    [InlineData("0 0 25 * * *", "is not a cron schedule")]
    public void Refused_SaysWhy(string schedule, string reason) => Assert.Contains(reason, CronSchedule.Problem(schedule));

    [Fact]
    public void EverySeconds_IsTheSweepIntervalAsCron()
    {
        Assert.Equal("*/30 * * * * *", CronSchedule.EverySeconds(30));
        Assert.Equal("0 */5 * * * *", CronSchedule.EverySeconds(300));
        Assert.Equal("0 0 * * * *", CronSchedule.EverySeconds(3600));
        Assert.Null(CronSchedule.Problem(CronSchedule.EverySeconds(45)));
    }
}
