namespace ComposeGate.Web.Components.Account;

/// <summary>The form field a <see cref="Shared.PasskeySubmit"/> button fills: the browser's answer, as JSON.</summary>
public sealed class PasskeyInputModel
{
    public string? CredentialJson { get; set; }
}
