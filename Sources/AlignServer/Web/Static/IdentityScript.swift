// swift-format-ignore-file
extension StaticFiles {
    /// `/static/align.js`: the browser's identity and signed commands (docs/WEB.md, "Identity in the browser").
    ///
    /// - `enrol(actor)`: a WebCrypto Ed25519 key pair, the private half not extractable, kept in IndexedDB (database
    ///   `align-keys`, under `LEDGER-ID/ACTOR`); answers the public key text, key id and proof of possession.
    /// - `signIn(actor)`: signs the server's challenge (`SignIn.message`) and opens the session (the cookie).
    /// - `sendCommand(command, args)`: the apply line in canonical JSON (`canonical`, as `JSONCanonical.canonicalize`),
    ///   with `as`, `at` and a fresh nonce `key`, signed (`SignedCommand.message`) and posted to `/api/v1/commands`.
    /// - `signOut()`: ends the session.
    /// Every `form.command` on a page is read (`readForm`), signed and posted by `submitCommand`; a refusal shows
    /// its rule and message in the form (role `alert`), a success reloads the page and shows its summary in `#flash`.
    static let identityScript = #"""
"use strict";
// align.js: identity in the browser and signed commands. No build step; served by `align serve` (docs/WEB.md).
const Align = (() => {
  const enc = new TextEncoder();

  // ---- Bytes
  function concat(...parts) {
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
  function b64url(bytes) {
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function unb64url(text) {
    const s = text.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(s + "===".slice((s.length + 3) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  function unhex(h) {
    const out = new Uint8Array(h.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
    return out;
  }
  const uuidBytes = (u) => unhex(u.replace(/-/g, ""));
  const u16 = (n) => new Uint8Array([(n >>> 8) & 255, n & 255]);
  const u32 = (n) => new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const zero = new Uint8Array([0]);

  // ---- Canonical JSON: keys sorted by their UTF-8 bytes, no whitespace, minimal escapes (JSON.stringify's escapes
  // of a well-formed string are exactly JSONWriter's: \" \\ \b \f \n \r \t and \u00xx in lowercase hex).
  function compareUTF8(a, b) {
    const x = enc.encode(a), y = enc.encode(b);
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }
  const str = (s) => JSON.stringify(typeof s.toWellFormed === "function" ? s.toWellFormed() : s);
  function canonical(v) {
    if (v === null) return "null";
    if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
    switch (typeof v) {
      case "string": return str(v);
      case "boolean": return v ? "true" : "false";
      case "number":
        if (!Number.isFinite(v)) throw new Error("a number must be finite");
        return JSON.stringify(v);
      case "object":
        return "{" + Object.keys(v).filter((k) => v[k] !== undefined).sort(compareUTF8)
          .map((k) => str(k) + ":" + canonical(v[k])).join(",") + "}";
    }
    throw new Error("cannot write a " + typeof v + " as JSON");
  }

  // ---- Signed bytes (the same as the service's SignIn.message, SignedCommand.message, KeyProof.message)
  const possessionMessage = (actor, raw) =>
    concat(enc.encode("align-key-possession/v1"), zero, enc.encode(actor), zero, raw);
  function signInMessage(ledgerId, actor, keyId, challenge) {
    const a = enc.encode(actor);
    return concat(enc.encode("align-session/v1"), zero, uuidBytes(ledgerId), u16(a.length), a, unhex(keyId), challenge);
  }
  const commandMessage = (ledgerId, keyId, line) =>
    concat(enc.encode("align-command/v1"), zero, uuidBytes(ledgerId), unhex(keyId), u32(line.length), line);

  return { enc, concat, b64url, unb64url, hex, unhex, uuidBytes, canonical, compareUTF8, possessionMessage, signInMessage, commandMessage };
})();

if (typeof module !== "undefined") module.exports = Align;  // for tests under node

if (typeof document !== "undefined") (() => {
  const { enc, b64url, unb64url, hex, canonical, possessionMessage, signInMessage, commandMessage } = Align;
  const meta = (name) => { const m = document.querySelector(`meta[name="${name}"]`); return m ? m.content : null; };
  const LEDGER = meta("align-ledger");
  const ACTOR = meta("align-actor");

  class Refusal extends Error {
    constructor(rule, message) { super(message); this.rule = rule; }
  }
  async function refusal(r) {
    let body = null;
    try { body = await r.json(); } catch (e) { /* not JSON */ }
    const e = body && body.error;
    return new Refusal(e && e.rule ? e.rule : "http-" + r.status, e && e.message ? e.message : "the server answered " + r.status);
  }
  async function post(url, body, method = "POST") {
    const init = { method, credentials: "same-origin", headers: { "Content-Type": "application/json" } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(url, init);
    if (!r.ok) throw await refusal(r);
    return r.json();
  }
  function needCrypto() {
    if (!window.isSecureContext || !window.crypto || !crypto.subtle) {
      throw new Refusal("secure-context", "WebCrypto is not available here: open this page over https (or on localhost)");
    }
  }

  // ---- Keys in IndexedDB: one record per ledger and actor; the private key is a non-extractable CryptoKey.
  function openDB() {
    return new Promise((resolve, reject) => {
      const r = indexedDB.open("align-keys", 1);
      r.onupgradeneeded = () => r.result.createObjectStore("keys");
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }
  async function withStore(mode, fn) {
    const db = await openDB();
    return new Promise((resolve, reject) => {
      const tx = db.transaction("keys", mode);
      const req = fn(tx.objectStore("keys"));
      tx.oncomplete = () => { db.close(); resolve(req.result); };
      tx.onerror = tx.onabort = () => { db.close(); reject(tx.error); };
    });
  }
  const slot = (actor) => LEDGER + "/" + actor;
  const loadKey = (actor) => withStore("readonly", (s) => s.get(slot(actor)));
  const saveKey = (record) => withStore("readwrite", (s) => s.put(record, slot(record.actor)));
  const sign = async (key, bytes) => new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, bytes));
  const keyIdOf = async (raw) => hex(new Uint8Array(await crypto.subtle.digest("SHA-256", raw)).slice(0, 8));

  /// This browser's key for `actor` on this ledger, made on first use (or anew with `replace`): public key text, key
  /// id, proof of possession.
  async function enrol(actor, replace = false) {
    needCrypto();
    // The ledger's rule for ids (1 to 100 letters, digits, '-', '_', '.', '@'): refused here, before a key is made for a
    // name no ledger would take, or one that would break the command line the page shows.
    if (!/^[\p{L}\p{N}\-_.@]{1,100}$/u.test(actor)) {
      throw new Error(`"${actor}" is not an actor id: use 1 to 100 letters, digits, '-', '_', '.' or '@'`);
    }
    let record = replace ? undefined : await loadKey(actor);
    const fresh = !record;
    if (!record) {
      const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
      const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
      record = { ledger: LEDGER, actor, privateKey: pair.privateKey, publicKey: pair.publicKey, raw: b64url(raw),
                 keyId: await keyIdOf(raw), created: new Date().toISOString() };
      await saveKey(record);
    }
    const proof = b64url(await sign(record.privateKey, possessionMessage(actor, unb64url(record.raw))));
    return { actor, publicKey: "ed25519:" + record.raw, keyId: record.keyId, proof, fresh };
  }

  async function keyFor(actor) {
    needCrypto();
    const record = await loadKey(actor);
    if (!record) throw new Refusal("no-key", `this browser holds no key for '${actor}' on this ledger: enrol one (Enrol a key), or use the browser that holds it`);
    return record;
  }

  /// Signs the server's challenge with this browser's key for `actor`: opens the session (the cookie).
  async function signIn(actor) {
    const record = await keyFor(actor);
    const c = await post("/api/v1/session/challenge");
    const signature = await sign(record.privateKey, signInMessage(c.ledgerId, actor, record.keyId, unb64url(c.challenge)));
    return post("/api/v1/session", { actor, challenge: c.challenge, keyId: record.keyId, signature: b64url(signature) });
  }

  async function signOut() {
    await fetch("/api/v1/session", { method: "DELETE", credentials: "same-origin" });
    location.assign("/sign-in");
  }

  const nonce = () => (crypto.randomUUID ? crypto.randomUUID() : hex(crypto.getRandomValues(new Uint8Array(16))));

  /// The apply line `{args, as, at, command, key}` in canonical JSON, signed by the signed-in actor's key, posted.
  async function sendCommand(command, args) {
    if (!ACTOR) throw new Refusal("session", "sign in first");
    const record = await keyFor(ACTOR);
    const line = canonical({ args, as: ACTOR, at: new Date().toISOString(), command, key: nonce() });
    const signature = await sign(record.privateKey, commandMessage(LEDGER, record.keyId, enc.encode(line)));
    return post("/api/v1/commands", { keyId: record.keyId, line, signature: b64url(signature) });
  }

  // ---- Forms
  const transforms = {
    // content.triage takes exactly one of map-to ASSET, add-to-plan ASSET, decline, ad-hoc.
    triage(a) {
      const out = { id: a.id };
      if (a.outcome === "map-to" || a.outcome === "add-to-plan") out[a.outcome] = a.asset || "";
      else if (a.outcome) out[a.outcome] = true;
      if (a.reason) out.reason = a.reason;
      return out;
    },
  };

  /// A command form's arguments: inputs by name; `data-type` int (a number), lines (a list, one a line), list
  /// (checked boxes of one name); a named submit button sends its name as true.
  function readForm(form, submitter) {
    const args = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.type === "submit" || el.type === "button") continue;
      const kind = el.dataset.type;
      if (el.type === "checkbox") {
        if (kind === "list") { if (el.checked) (args[el.name] = args[el.name] || []).push(el.value); }
        else if (el.checked) args[el.name] = true;
        continue;
      }
      if (kind === "lines") {
        const items = el.value.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== "");
        if (items.length) args[el.name] = items;
        continue;
      }
      const v = el.value.trim();
      if (v === "") continue;
      if (kind === "int") {
        const n = Number(v);
        if (!Number.isInteger(n)) throw new Refusal("usage", `${el.name}: ${JSON.stringify(v)} is not a whole number`);
        args[el.name] = n;
      } else {
        args[el.name] = v;
      }
    }
    if (submitter && submitter.name) args[submitter.name] = true;
    const t = transforms[form.dataset.transform];
    return t ? t(args) : args;
  }

  function show(form, text, refused) {
    const p = form.querySelector(".result");
    if (!p) return;
    p.setAttribute("role", refused ? "alert" : "status");
    p.classList.toggle("refused", !!refused);
    p.textContent = text;
  }
  // The service's message begins "refused by rule 'R': " itself; the page says the rule once.
  const refusedText = (e) => {
    if (!(e instanceof Refusal)) return `Failed: ${e.message}`;
    const said = `refused by rule '${e.rule}': `;
    return `Refused (rule ${e.rule}): ${e.message.startsWith(said) ? e.message.slice(said.length) : e.message}`;
  };
  function busy(form, on) { for (const b of form.querySelectorAll("button")) b.disabled = on; }

  async function submitCommand(form, submitter) {
    busy(form, true);
    show(form, "Signing and sending…", false);
    try {
      const answer = await sendCommand(form.dataset.command, readForm(form, submitter));
      sessionStorage.setItem("align-flash", `Recorded: ${answer.summary}`);
      location.reload();
    } catch (e) {
      show(form, refusedText(e), true);
      busy(form, false);
    }
  }

  // Where to go after signing in: `?next=` only when it resolves to this origin (a "/\\evil.example" or a path with a
  // tab or newline would otherwise send a freshly signed-in person to another site).
  function nextPage() {
    const next = new URLSearchParams(location.search).get("next");
    if (!next) return "/scorecard";
    try {
      const u = new URL(next, location.origin);
      if (u.origin === location.origin) return u.pathname + u.search + u.hash;
    } catch (e) { /* not a URL: the default */ }
    return "/scorecard";
  }

  async function submitSignIn(form) {
    busy(form, true);
    show(form, "Signing in…", false);
    try {
      const actor = form.elements.actor.value.trim();
      await signIn(actor);
      location.assign(nextPage());
    } catch (e) {
      show(form, refusedText(e), true);
      busy(form, false);
    }
  }

  async function submitEnrol(form) {
    busy(form, true);
    try {
      const actor = form.elements.actor.value.trim();
      const k = await enrol(actor, form.elements.replace.checked);
      document.getElementById("enrol-actor").textContent = k.actor;
      document.getElementById("enrol-public-key").textContent = k.publicKey;
      document.getElementById("enrol-key-id").textContent = k.keyId;
      document.getElementById("enrol-proof").textContent = k.proof;
      // Quoted for a shell all the same: this line is pasted into a terminal by someone else.
      const id = /^[A-Za-z0-9._@-]+$/.test(k.actor) ? k.actor : `'${k.actor.replace(/'/g, "'\\''")}'`;
      document.getElementById("enrol-command").textContent =
        `align actor key add ${id} --key ${k.publicKey} --proof ${k.proof} --as REVOPS-ID`;
      document.getElementById("enrol-rotate-command").textContent =
        `align actor key rotate ${id} --key ${k.publicKey} --proof ${k.proof} --as REVOPS-ID`;
      document.getElementById("enrolled").hidden = false;
      show(form, k.fresh ? `A new key was made for ${k.actor} and kept in this browser.`
                         : `This browser already holds a key for ${k.actor}; here it is.`, false);
    } catch (e) {
      show(form, refusedText(e), true);
    } finally {
      busy(form, false);
    }
  }

  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.matches("form.command")) { ev.preventDefault(); submitCommand(form, ev.submitter); }
    else if (form.id === "sign-in-form") { ev.preventDefault(); submitSignIn(form); }
    else if (form.id === "enrol-form") { ev.preventDefault(); submitEnrol(form); }
  });

  function start() {
    const out = document.getElementById("sign-out");
    if (out) out.addEventListener("click", () => { signOut(); });
    const flash = sessionStorage.getItem("align-flash");
    const main = document.getElementById("main");
    if (flash && main) {
      sessionStorage.removeItem("align-flash");
      const p = document.createElement("p");
      p.id = "flash";
      p.className = "flash";
      p.setAttribute("role", "status");
      p.setAttribute("aria-label", "Last result");
      p.textContent = flash;
      const h1 = main.querySelector("h1");
      if (h1) h1.after(p); else main.prepend(p);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();

  Object.assign(Align, { enrol, signIn, signOut, sendCommand, readForm, Refusal });  // for the console and browser tests
})();
"""#
}
