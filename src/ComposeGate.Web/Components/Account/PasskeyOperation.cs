namespace ComposeGate.Web.Components.Account;

/// <summary>What a <see cref="Shared.PasskeySubmit"/> button asks the browser for.</summary>
public enum PasskeyOperation
{
    /// <summary>Make a new passkey (<c>navigator.credentials.create</c>) for the signed-in person.</summary>
    Create,

    /// <summary>Sign in with a passkey the authenticator holds (<c>navigator.credentials.get</c>).</summary>
    Request,
}
