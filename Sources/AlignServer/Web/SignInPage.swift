/// `/sign-in`: the browser signs the server's challenge with the key it keeps for this ledger and actor
/// (`signIn` in `/static/align.js`), which opens a session (the HttpOnly cookie).
enum SignInPage {
    static func render(ledgerID: String) -> HTML {
        Layout.openPage(title: "Sign in", ledgerID: ledgerID, """
            <section aria-labelledby="sign-in-h" class="card">
            <h2 id="sign-in-h">Sign in with this browser's key</h2>
            <p>This browser signs a one-time challenge with the key it keeps for you; the server never sees the key.
            No key yet? <a href="/enrol">Enrol a key</a> and ask a revops member to register it.</p>
            <form id="sign-in-form" aria-label="Sign in">
            <label>Actor id <input type="text" name="actor" autocomplete="username" required></label>
            <div class="actions"><button type="submit">Sign in</button></div>
            <p class="result" role="status" aria-live="polite"></p>
            </form>
            </section>
            """)
    }
}
