using System.Net;

namespace ComposeGate.Web.Promotion.Registry;

/// <summary>
/// A registry operation failed. <see cref="Transient"/> failures (network, timeout, 5xx, 429) may succeed when
/// tried again; permanent ones (refused credentials, unknown manifest, digest mismatch) need a person.
/// The message names the image, tag or digest and what the registry said; it never contains credentials.
/// </summary>
public sealed class RegistryException : Exception
{
    public RegistryException(string message, bool transient, HttpStatusCode? status)
        : this(message, transient, status, null)
    {
    }

    public RegistryException(string message, bool transient, HttpStatusCode? status, Exception? innerException)
        : base(message, innerException)
    {
        Transient = transient;
        Status = status;
    }

    public bool Transient { get; }

    /// <summary>The HTTP status that decided the failure; null for network errors and local checks.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>How long the registry asked to wait (<c>Retry-After</c> on 429/503), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The first error code of the registry's JSON error body, e.g. <c>MANIFEST_UNKNOWN</c>.</summary>
    public string? ErrorCode { get; init; }
}
