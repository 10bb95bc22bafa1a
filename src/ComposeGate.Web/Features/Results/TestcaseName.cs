using System.Text.RegularExpressions;
using ComposeGate.Gating;
using ComposeGate.Web.Api;

namespace ComposeGate.Web.Features.Results;

/// <summary>Testcase names, as results, waivers and policies write them: a dotted namespace such as rdo.tempest.smoke.</summary>
public static partial class TestcaseName
{
    /// <summary>The trimmed name, or an error on <paramref name="field"/> when it is missing or malformed.</summary>
    public static string Validate(string? value, FieldErrors errors, string field = "testcase", string missing = "A testcase name is required.")
    {
        var name = value?.Trim() ?? "";
        if (!errors.AddIf(name.Length == 0, field, missing))
        {
            errors.AddIf(!Pattern().IsMatch(name), field, "Use 1-200 letters, digits, '.', '_' or '-' (a dotted namespace such as rdo.tempest.smoke).");
        }
        return name;
    }

    [GeneratedRegex(Result.TestcasePattern)]
    private static partial Regex Pattern();
}
