using System.Text.Json;
using ComposeGate.Web.Promotion.Registry;

namespace ComposeGate.Web.Promotion;

/// <summary>
/// Gives the candidate's exact digest a tag (<c>:main</c> was tested → <c>:stable</c>) in its own repository: the
/// manifest is fetched by digest, checked, and put back unchanged under the tag, which is then read back. The tested
/// bits are the shipped bits; a tag already on the digest is left alone.
/// </summary>
public sealed class RetagAction(RegistryClient registry) : IPromotionAction
{
    public string Kind => "Retag";

    public static string Describe(RetagSettings settings) => $"Tag the tested digest :{settings.Tag}";

    public async Task<string> RunAsync(PromotionStepContext step, CancellationToken ct)
    {
        var tag = JsonSerializer.Deserialize<RetagSettings>(step.Settings, JsonSerializerOptions.Web)!.Tag!;
        var candidate = step.Candidate;
        if (candidate.Image is null || candidate.Digest is null)
        {
            throw new PromotionStepException($"{candidate.Id} is not an image pinned to a digest: there is nothing to tag.", transient: false);
        }
        try
        {
            var outcome = await registry.RetagAsync(candidate.Image, candidate.Digest, tag, ct);
            return outcome.Log;
        }
        catch (RegistryException e)
        {
            throw new PromotionStepException(e.Message, e.Transient, retryAfter: e.RetryAfter, inner: e);
        }
    }
}
