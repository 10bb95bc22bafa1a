// The <passkey-submit> element of PasskeySubmit.razor: fetches the options from the server, asks the browser's
// authenticator for a passkey and posts the answer with the surrounding form, whose own handler (and antiforgery
// token) does the rest. A file of its own, loaded by App.razor on every page: the pages' CSP allows no inline script,
// and pages reached by enhanced navigation get their elements upgraded without loading anything.

const optionsUrls = {
    Create: '/Account/PasskeyCreationOptions',
    Request: '/Account/PasskeyRequestOptions',
};

const supported = typeof window.PublicKeyCredential === 'function'
    && typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function'
    && typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function';

function explain(error) {
    switch (error.name) {
        case 'NotAllowedError':
            return 'No passkey was used: the request was cancelled, timed out, or found no passkey for this site.';
        case 'InvalidStateError':
            return 'This authenticator holds a passkey for your account already.';
        case 'SecurityError':
            return 'Passkeys need ComposeGate opened by its host name (https, or http on localhost), not by an IP address.';
        default:
            return `The passkey could not be used: ${error.message}`;
    }
}

class PasskeySubmit extends HTMLElement {
    static formAssociated = true;

    #internals = this.attachInternals();
    #ceremony = null;

    connectedCallback() {
        const button = this.querySelector('button');
        if (!supported) {
            button.title = 'This browser cannot use passkeys.';
            return;
        }
        button.addEventListener('click', () => this.#run());
        button.disabled = false;
    }

    disconnectedCallback() {
        this.#ceremony?.abort();
    }

    // Only ever on the person's click: no passkey is offered unasked (no autofill), so none is used unasked either.
    async #run() {
        this.#ceremony?.abort();
        const ceremony = this.#ceremony = new AbortController();
        this.#show('');
        let credential;
        try {
            const options = await this.#fetchOptions(ceremony.signal);
            credential = this.getAttribute('operation') === 'Create'
                ? await navigator.credentials.create({
                    publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options), signal: ceremony.signal })
                : await navigator.credentials.get({
                    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options), signal: ceremony.signal });
        } catch (error) {
            // An aborted ceremony has been replaced by a newer one, which speaks for itself.
            if (error.name !== 'AbortError') {
                this.#show(explain(error));
            }
            return;
        }
        const answer = new FormData();
        answer.append(`${this.getAttribute('name')}.CredentialJson`, JSON.stringify(credential));
        this.#internals.setFormValue(answer);
        this.#internals.form.submit();
    }

    async #fetchOptions(signal) {
        const response = await fetch(optionsUrls[this.getAttribute('operation')], {
            method: 'POST',
            headers: { [this.getAttribute('antiforgery-header')]: this.getAttribute('antiforgery-token') },
            credentials: 'same-origin',
            signal,
        });
        if (!response.ok) {
            const problem = await response.json().catch(() => null);
            throw new Error(problem?.detail ?? `the server answered ${response.status}; reload the page and try again.`);
        }
        return await response.json();
    }

    #show(message) {
        const status = this.querySelector('[role=alert]');
        status.textContent = message;
        status.hidden = message === '';
    }
}

customElements.define('passkey-submit', PasskeySubmit);
