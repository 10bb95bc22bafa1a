// Drives the dialog of ReconnectModal.razor. blazor.web.js announces every change of the connection with a
// components-reconnect-state-changed event on the dialog; on its own it retries for about six minutes and, when the
// server answers but no longer holds the page's circuit, tries to resume it from the state the server kept.
const dialog = document.getElementById("components-reconnect-modal");
dialog.addEventListener("components-reconnect-state-changed", stateChanged);
document.getElementById("cg-reconnect-retry").addEventListener("click", retry);
document.getElementById("cg-reconnect-resume").addEventListener("click", resume);

function stateChanged(event) {
    switch (event.detail.state) {
        case "show":
            if (!dialog.open) {
                dialog.showModal();
            }
            break;
        case "hide":
            dialog.close();
            break;
        case "failed":
            // Out of automatic attempts: try again when the person comes back to the tab.
            document.addEventListener("visibilitychange", retryWhenVisible);
            break;
        case "rejected":
            // Neither the circuit nor its saved state is left (the server restarted): a fresh page is the way back.
            location.reload();
            break;
    }
}

async function retry() {
    document.removeEventListener("visibilitychange", retryWhenVisible);
    try {
        // true: the same circuit again; false: the server answered but has no such circuit any more, so the page is
        // resumed from the state the server kept, or reloaded when none is left.
        if (await Blazor.reconnect()) {
            return;
        }
        if (await Blazor.resumeCircuit()) {
            dialog.close();
        } else {
            location.reload();
        }
    } catch {
        // Still out of reach.
        document.addEventListener("visibilitychange", retryWhenVisible);
    }
}

async function resume() {
    try {
        if (!await Blazor.resumeCircuit()) {
            location.reload();
        }
    } catch {
        dialog.classList.replace("components-reconnect-paused", "components-reconnect-resume-failed");
    }
}

async function retryWhenVisible() {
    if (document.visibilityState === "visible") {
        await retry();
    }
}
