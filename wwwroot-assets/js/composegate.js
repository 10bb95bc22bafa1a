// Small browser helpers the Blazor pages call through JS interop.
window.composeGate = {
    copy: async (text) => {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch {
            // Clipboard access needs a secure context; fall back to a selection the user can copy.
            const area = document.createElement("textarea");
            area.value = text;
            document.body.appendChild(area);
            area.select();
            const copied = document.execCommand("copy");
            area.remove();
            return copied;
        }
    },
    scrollTo: (id) => {
        document.getElementById(id)?.scrollIntoView({ behavior: "smooth", block: "center" });
    },
    rememberTheme: (cookie, theme) => {
        document.cookie = `${cookie}=${encodeURIComponent(theme)}; path=/; max-age=31536000; samesite=lax`;
    },
};
