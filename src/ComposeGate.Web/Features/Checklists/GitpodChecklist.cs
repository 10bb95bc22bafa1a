using ComposeGate.Web.Access;

namespace ComposeGate.Web.Features.Checklists;

/// <summary>
/// The first shipped template: the manual checks a tester runs on the GitLab Development Kit's Gitpod
/// workspace image (<c>gitpod-workspace:main</c>) before it is promoted to <c>:stable</c>, from GDK's
/// documentation (doc/howto/gitpod.md) and gitlab-org/gitlab#344613.
/// </summary>
internal static class GitpodChecklist
{
    public const string Name = "gitpod-workspace";

    public static readonly TemplateRequest Template = new(Name, "Gitpod workspace image: manual test before :stable",
        "Run these checks in a Gitpod workspace started from the `:main` image under test. Only when every required "
        + "item passes does `:stable` move to exactly that digest.",
        [
            new("verify-job", "The automated `verify-gitpod-docker-image` job passed",
                "Open the pipeline that built the `:main` image and check that `verify-gitpod-docker-image` succeeded. Note the pipeline id in the comment.", true),
            new("workspace-starts", "A workspace starts from the `:main` image",
                "Rebase the *GitPod Image Integration test* MR (its `.gitpod.yml` points at `:main`) with `/rebase`, then open a Gitpod workspace from its branch.", true),
            new("gdk-up", "GDK comes up",
                "Wait for GDK to start (7–8 minutes). A *504 Gateway Time-out* in the side bar means: reload it. The GitLab UI must load.", true),
            new("sign-in-root", "Sign in to GitLab as `root`",
                "Sign in to the GitLab UI as `root`; the default password must be changed at first sign-in.", true),
            new("gdk-update", "`gdk update` succeeds",
                "Run `gdk update` in the workspace terminal; it must finish without errors.", true),
            new("tests-run", "Jest and RSpec tests run",
                "Run a few tests, e.g. `yarn jest spec/frontend/boards` and `bin/rspec spec/models/user_spec.rb`; they must run and pass.", true),
            new("git-workflow", "Branch, commit and push work",
                "Switch branches (UI or `git`), stage and commit a change, and push it.", false),
            new("runner-pipeline", "A pipeline runs on a shell runner",
                "Register a shell runner against GDK on port 3000 (made public) and run a pipeline from the *Pages/Plain HTML* template.", false),
        ]);

    public static async Task EnsureAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var checklists = scope.ServiceProvider.GetRequiredService<ChecklistService>();
        if (await checklists.GetTemplateAsync(Name) is null)
        {
            var system = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                [new(System.Security.Claims.ClaimTypes.Name, Actor.System), new(System.Security.Claims.ClaimTypes.Role, ComposeGate.Access.Roles.Admin)], "system"));
            await checklists.SaveTemplateAsync(system, Template);
        }
    }
}
