/// `/enrol`: the browser makes its Ed25519 key pair (WebCrypto, the private half not extractable, kept in IndexedDB
/// for this ledger and actor) and shows what a revops member registers: the public key, its id and the proof of
/// possession, with the command line that registers them (`enrol` in `/static/align.js`).
enum EnrolPage {
    static func render(ledgerID: String) -> HTML {
        Layout.openPage(title: "Enrol a key", ledgerID: ledgerID, """
            <section aria-labelledby="enrol-h" class="card">
            <h2 id="enrol-h">Make this browser's key</h2>
            <p>The key is made here and stays in this browser (it cannot be exported). A revops member registers its public
            half, as an event on the ledger; then you can sign in.</p>
            <form id="enrol-form" aria-label="Enrol a key">
            <label>Actor id <input type="text" name="actor" autocomplete="username" required></label>
            <label class="check"><input type="checkbox" name="replace"> Replace the key this browser holds for this actor (after a revocation)</label>
            <div class="actions"><button type="submit">Create key</button></div>
            <p class="result" role="status" aria-live="polite"></p>
            </form>
            </section>
            <section aria-labelledby="enrolled-h" class="card" id="enrolled" hidden>
            <h2 id="enrolled-h">Your public key</h2>
            <dl>
            <dt>Actor</dt><dd><output id="enrol-actor" aria-label="Actor"></output></dd>
            <dt>Public key</dt><dd><output id="enrol-public-key" aria-label="Public key" class="mono"></output></dd>
            <dt>Key id</dt><dd><output id="enrol-key-id" aria-label="Key id" class="mono"></output></dd>
            <dt>Proof of possession</dt><dd><output id="enrol-proof" aria-label="Proof of possession" class="mono"></output></dd>
            </dl>
            <p>Ask a revops member to register it: on the <a href="/admin">People and keys</a> page, or with</p>
            <pre><code id="enrol-command" aria-label="Command line"></code></pre>
            <p>If you hold an active key already (another browser, a key file), add this one yourself with the same line
            as yourself (<code>--as</code> you), or ask revops to replace yours, which revokes it:</p>
            <pre><code id="enrol-rotate-command" aria-label="Replacement command"></code></pre>
            </section>
            """)
    }
}
