namespace ComposeGate.Web.Forge.GitLab;

/// <summary>
/// The GitLab project ComposeGate mirrors candidates to; bound from <c>ComposeGate:Forge:GitLab</c>.
/// </summary>
public sealed class GitLabOptions
{
    public const string SectionName = "ComposeGate:Forge:GitLab";

    /// <summary>The instance, e.g. <c>https://gitlab.example.com</c> (<c>/api/v4</c> is appended when missing).</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>The compose repository: a numeric project id or its full path <c>group/project</c>.</summary>
    public string Project { get; set; } = "";

    /// <summary>Personal/project access token sent as <c>PRIVATE-TOKEN</c>; never logged.</summary>
    public string Token { get; set; } = "";

    /// <summary>The secret GitLab sends as <c>X-Gitlab-Token</c> on webhook deliveries.</summary>
    public string WebhookSecret { get; set; } = "";

    public string TargetBranch { get; set; } = "main";

    /// <summary>Retry/timeout settings of the REST client (defaults suit production).</summary>
    public GitLabResilienceOptions Resilience { get; set; } = new();
}

/// <summary>Retry and timeout settings of <see cref="GitLabClient"/>.</summary>
public sealed class GitLabResilienceOptions
{
    /// <summary>Retries after the first attempt (so at most <c>MaxRetryAttempts + 1</c> requests).</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>First backoff delay; doubled per retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one attempt (request and response body).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound for a wait requested by a 429's <c>Retry-After</c>/<c>RateLimit-Reset</c>.</summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(2);
}
