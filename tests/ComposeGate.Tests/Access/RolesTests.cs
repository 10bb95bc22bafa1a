using ComposeGate.Access;

namespace ComposeGate.Tests.Access;

public sealed class RolesTests
{
    [Theory]
    [InlineData("Viewer", "Viewer", true)]
    [InlineData("Reporter", "Viewer", true)]
    [InlineData("Tester", "Reporter", true)]
    [InlineData("Reporter", "Tester", false)]
    [InlineData("ReleaseEngineer", "Tester", true)]
    [InlineData("Tester", "ReleaseEngineer", false)]
    [InlineData("Admin", "ReleaseEngineer", true)]
    [InlineData("ReleaseEngineer", "Admin", false)]
    [InlineData("admin", "Viewer", false)]
    public void Satisfies_FollowsTheTrustOrder(string role, string minimum, bool expected) =>
        Assert.Equal(expected, Roles.Satisfies(role, minimum));

    [Fact]
    public void AtLeast_Tester_AdmitsTesterAndAbove() =>
        Assert.Equal(["Tester", "ReleaseEngineer", "Admin"], Roles.AtLeast(Roles.Tester));

    [Fact]
    public void Highest_PicksTheMostTrustedKnownRole() =>
        Assert.Equal("ReleaseEngineer", Roles.Highest(["Viewer", "Unknown", "ReleaseEngineer", "Reporter"]));
}
