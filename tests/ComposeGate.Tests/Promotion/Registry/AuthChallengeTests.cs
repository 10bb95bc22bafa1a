using ComposeGate.Web.Promotion.Registry;

namespace ComposeGate.Tests.Promotion.Registry;

public sealed class AuthChallengeTests
{
    [Fact]
    public void Parse_QuotedScopeWithComma_KeepsTheWholeValue()
    {
        var challenges = AuthChallenge.Parse(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:samalba/my-app:pull,push\"");

        var bearer = Assert.Single(challenges);
        Assert.Equal("Bearer", bearer.Scheme);
        Assert.Equal("https://auth.docker.io/token", bearer.Parameters["realm"]);
        Assert.Equal("registry.docker.io", bearer.Parameters["service"]);
        Assert.Equal("repository:samalba/my-app:pull,push", bearer.Parameters["scope"]);
    }

    [Fact]
    public void Parse_TwoChallengesInOneHeader_ReturnsBoth()
    {
        var challenges = AuthChallenge.Parse("Bearer realm=\"https://r/token\", scope=\"repository:a:pull,push\", Basic realm=\"Registry Realm\"");

        Assert.Equal(["Bearer", "Basic"], challenges.Select(c => c.Scheme));
        Assert.Equal("repository:a:pull,push", challenges[0].Parameters["scope"]);
        Assert.Equal("Registry Realm", challenges[1].Parameters["realm"]);
    }

    [Fact]
    public void Parse_EscapesUnquotedValuesAndCase_ReadAsWritten()
    {
        var challenge = Assert.Single(AuthChallenge.Parse("bearer REALM=\"a \\\"quoted\\\" realm\" , service = plain"));

        Assert.Equal("a \"quoted\" realm", challenge.Parameters["realm"]);
        Assert.Equal("plain", challenge.Parameters["Service"]);
    }

    [Fact]
    public void Parse_SeparateHeaders_AreCombined()
    {
        var challenges = AuthChallenge.Parse(["Basic realm=\"x\"", "Bearer realm=\"https://r/token\""]);

        Assert.Equal(["Basic", "Bearer"], challenges.Select(c => c.Scheme));
    }
}
