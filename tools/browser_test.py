#!/usr/bin/env python3
"""Browser tests of `align serve` (issue 14, "Tests"): Playwright for Python driving Debian's Chromium.

It makes a fresh ledger in a temporary directory with the CLI (a revops founder; a marketer and a salesperson
registered without keys), starts `align serve --listen 127.0.0.1:0` on it, waits for /healthz, runs the tests and
stops the server with SIGTERM, leaving nothing behind (`--keep` keeps the temporary directory and says where).

The tests, in order (`--only NAME` runs some; `--list` names them):
  healthz        the server answers /healthz in a page
  webcrypto      a page generates a non-extractable Ed25519 key, keeps it in IndexedDB, reads it back after a reload
                 and signs; Python's `cryptography` checks the signature; exporting the private key fails
  api-in-page    the browser side of the protocol without the web pages: a key made in the page, registered by
                 revops with the CLI, signs the server's challenge (a session cookie) and a command that lands
  story          the web pages, end to end, in two browser contexts (a marketer and a salesperson); see story()

Screenshots of every page the story opens go to --screenshots (default ci-artifacts/screenshots), at 1280 and
390 px wide. The last line is "N passed, N failed"; the exit code is 0 only when nothing failed.

Needs: `align` built (default .build/debug/align), /usr/bin/chromium (Debian's package) and
tools/requirements-browser.txt (Playwright, pinned; it cannot download browsers here). docs/TESTING.md says how
to run it alone.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------------------------------------------
# Small helpers


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(value) -> str:
    """The ledger's canonical JSON for the ASCII lines this test writes: keys sorted, no whitespace."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def key_id(public_key: bytes) -> str:
    """The first 8 bytes of SHA-256 of the public key, in hex (docs/FORMAT.md, "Signatures")."""
    return hashlib.sha256(public_key).digest()[:8].hex()


def log(message: str) -> None:
    print(f"[browser-test {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Failure(AssertionError):
    pass


def check(condition, message: str) -> None:
    if not condition:
        raise Failure(message)


# --------------------------------------------------------------------------------------------------------------
# The ledger and the server


class Ledger:
    """A fresh ledger in a temporary directory, made with the CLI, with its keys beside it (ALIGN_KEYS)."""

    FOUNDER, MARKETER, SALES = "rita", "maria", "sam"

    def __init__(self, align: Path, keep: bool):
        self.align = align
        self.keep = keep
        self.dir = Path(tempfile.mkdtemp(prefix="align-browser-test-"))
        self.path = self.dir / "team.ledger"
        self.keys = self.dir / "keys"
        self.env = dict(os.environ, ALIGN_KEYS=str(self.keys), ALIGN_LEDGER=str(self.path))
        self.env.pop("ALIGN_ACTOR", None)
        self.env.pop("ALIGN_KEY_PASSPHRASE", None)

    def run(self, *args: str, check_exit: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(self.align), *args], env=self.env, capture_output=True, text=True, timeout=120)
        if check_exit and proc.returncode != 0:
            raise Failure(f"align {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}")
        return proc

    def create(self) -> None:
        """A revops founder (her key made by init), a marketer and a salesperson without keys: they enrol in
        their browsers, and the founder registers the keys they show (register_key)."""
        self.run("init", "--admin", self.FOUNDER, "--name", "Rita Revops")
        self.run("actor", "add", self.MARKETER, "--name", "Maria Marketing", "--role", "marketing",
                 "--as", self.FOUNDER)
        self.run("actor", "add", self.SALES, "--name", "Sam Sales", "--role", "sales", "--as", self.FOUNDER)

    def register_key(self, actor: str, public_key: str, proof: str) -> None:
        self.run("actor", "key", "add", actor, "--key", public_key, "--proof", proof, "--as", self.FOUNDER)

    def json(self, *args: str):
        return json.loads(self.run(*args, "--json").stdout)

    def cleanup(self) -> None:
        if self.keep:
            log(f"kept the ledger and keys in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """`align serve` on a free loopback port; the port is read from its "listening on" line."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self.lines: list[str] = []

    def start(self, timeout: float = 30) -> None:
        self.proc = subprocess.Popen(
            [str(self.ledger.align), "serve", "--ledger", str(self.ledger.path), "--listen", "127.0.0.1:0"],
            env=self.ledger.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        found = threading.Event()

        def drain():
            assert self.proc and self.proc.stdout
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
                if m and not self.base:
                    self.base = m.group(1)
                    found.set()
            found.set()

        threading.Thread(target=drain, daemon=True).start()
        if not found.wait(timeout) or not self.base:
            self.stop()
            raise Failure("align serve did not say where it listens:\n" + "\n".join(self.lines[-20:]))
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise Failure(f"{self.base}/healthz did not answer 200 within {timeout} s")
            time.sleep(0.05)
        log(f"align serve (pid {self.proc.pid}) listens on {self.base}")

    def stop(self) -> int | None:
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                log("align serve did not stop within 15 s of SIGTERM; killing it")
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode
        self.proc = None
        return code


# --------------------------------------------------------------------------------------------------------------
# WebCrypto in a page, without the web pages (the tests `webcrypto` and `api-in-page`)

# Functions defined on window by page.evaluate. The private key is made non-extractable; both halves go to
# IndexedDB (a CryptoKey is structured-cloneable, so it is stored as it is, never as bytes).
WEBCRYPTO_JS = r"""
() => {
  const db = () => new Promise((ok, fail) => {
    const r = indexedDB.open("align-browser-test", 1);
    r.onupgradeneeded = () => r.result.createObjectStore("keys");
    r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error);
  });
  const tx = async (mode, f) => {
    const d = await db();
    return await new Promise((ok, fail) => {
      const t = d.transaction("keys", mode); const r = f(t.objectStore("keys"));
      t.oncomplete = () => ok(r && r.result); t.onerror = () => fail(t.error);
    });
  };
  const b64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const unb64url = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), c => c.charCodeAt(0));
  const utf8 = (s) => new TextEncoder().encode(s);
  const cat = (...parts) => { const n = parts.reduce((a, p) => a + p.length, 0); const out = new Uint8Array(n);
    let i = 0; for (const p of parts) { out.set(p, i); i += p.length; } return out; };
  window.alignTest = {
    b64url, unb64url, utf8, cat,
    async generate(name) {
      const pair = await crypto.subtle.generateKey({name: "Ed25519"}, false, ["sign", "verify"]);
      await tx("readwrite", s => s.put({privateKey: pair.privateKey, publicKey: pair.publicKey}, name));
      const raw = await crypto.subtle.exportKey("raw", pair.publicKey);
      return {publicKey: b64url(raw), extractable: pair.privateKey.extractable, type: pair.privateKey.type};
    },
    async load(name) { return await tx("readonly", s => s.get(name)); },
    async sign(name, bytes) {
      const k = await this.load(name);
      if (!k) throw new Error("no key " + name + " in IndexedDB");
      return b64url(await crypto.subtle.sign({name: "Ed25519"}, k.privateKey, bytes));
    },
    async signText(name, text) { return await this.sign(name, utf8(text)); },
    async tryExport(name) {
      const k = await this.load(name); const out = {};
      for (const f of ["pkcs8", "jwk", "raw"]) {
        try { await crypto.subtle.exportKey(f, k.privateKey); out[f] = "exported"; }
        catch (e) { out[f] = e.name; }
      }
      return out;
    },
  };
  return typeof crypto.subtle;
}
"""


def install_webcrypto_helpers(page) -> None:
    kind = page.evaluate(WEBCRYPTO_JS)
    check(kind == "object", f"crypto.subtle is {kind} on {page.url}: not a secure context?")


def test_healthz(t: "Tests") -> None:
    page = t.new_page()
    response = page.goto(t.server.base + "/healthz")
    check(response is not None and response.status == 200, f"/healthz answered {response and response.status}")
    body = json.loads(page.inner_text("body") if page.locator("body").count() else response.text())
    check(body.get("ok") is True and "head" in body, f"/healthz body {body}")
    page.close()


def test_webcrypto(t: "Tests") -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    page = t.new_page()
    page.goto(t.server.base + "/healthz")
    install_webcrypto_helpers(page)
    made = page.evaluate("alignTest.generate('probe')")
    check(made["type"] == "private" and made["extractable"] is False, f"the private key: {made}")
    public = b64url_decode(made["publicKey"])
    check(len(public) == 32, f"raw Ed25519 public key of {len(public)} bytes")
    # A reload: the key comes back from IndexedDB, not from the page's memory.
    page.reload()
    install_webcrypto_helpers(page)
    message = "align browser test " + uuid.uuid4().hex
    signature = b64url_decode(page.evaluate("([m]) => alignTest.signText('probe', m)", [message]))
    Ed25519PublicKey.from_public_bytes(public).verify(signature, message.encode())  # raises when it does not check
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message.encode() + b"!")
        raise Failure("a signature over other bytes checked")
    except Failure:
        raise
    except Exception:
        pass
    exported = page.evaluate("alignTest.tryExport('probe')")
    check(all(v != "exported" for v in exported.values()), f"the private key was exported: {exported}")
    t.note(f"webcrypto: Ed25519 in {t.browser_version}; exportKey of the private key fails with {exported}")
    page.close()


def enrol_in_page(t: "Tests", page, actor: str) -> tuple[str, str]:
    """Generates actor's key in the page and its proof of possession (the key's signature of
    "align-key-possession/v1" 0x00 || actor || 0x00 || public key); registers it with the CLI as the founder."""
    made = page.evaluate("([a]) => alignTest.generate(a)", [actor])
    public = b64url_decode(made["publicKey"])
    proof = page.evaluate(
        "([a, pk]) => alignTest.sign(a, alignTest.cat(alignTest.utf8('align-key-possession/v1'), new Uint8Array([0]),"
        " alignTest.utf8(a), new Uint8Array([0]), alignTest.unb64url(pk)))", [actor, made["publicKey"]])
    t.ledger.register_key(actor, "ed25519:" + made["publicKey"], proof)
    return key_id(public), made["publicKey"]


def test_api_in_page(t: "Tests") -> None:
    """What the pages' JavaScript must do, done here by hand: sign in and post a signed command with fetch."""
    page = t.new_page()
    page.goto(t.server.base + "/healthz")
    install_webcrypto_helpers(page)
    actor = "probe-" + uuid.uuid4().hex[:6]
    t.ledger.run("actor", "add", actor, "--name", "Probe Marketer", "--role", "marketing", "--as", Ledger.FOUNDER)
    kid, _ = enrol_in_page(t, page, actor)
    ledger_id = json.loads(urllib.request.urlopen(t.server.base + "/api/v1/ledger").read())["ledgerId"]
    session = page.evaluate(
        r"""async ([actor, kid, ledgerId]) => {
          const ch = await (await fetch("/api/v1/session/challenge", {method: "POST"})).json();
          const id = Uint8Array.from(ledgerId.replace(/-/g, "").match(/../g).map(h => parseInt(h, 16)));
          const a = alignTest.utf8(actor);
          const len = new Uint8Array([a.length >> 8, a.length & 255]);
          const kidBytes = Uint8Array.from(kid.match(/../g).map(h => parseInt(h, 16)));
          const msg = alignTest.cat(alignTest.utf8("align-session/v1"), new Uint8Array([0]), id, len, a, kidBytes,
                                    alignTest.unb64url(ch.challenge));
          const signature = await alignTest.sign(actor, msg);
          const r = await fetch("/api/v1/session", {method: "POST", headers: {"Content-Type": "application/json"},
            body: JSON.stringify({actor, challenge: ch.challenge, keyId: kid, signature})});
          const who = await (await fetch("/api/v1/session")).json();
          return {status: r.status, body: await r.json(), who};
        }""", [actor, kid, ledger_id])
    check(session["status"] == 201, f"sign-in answered {session}")
    check(session["who"].get("actor") == actor, f"GET /api/v1/session with the cookie answered {session['who']}")
    cookies = {c["name"]: c for c in page.context.cookies()}
    check("align_session" in cookies and cookies["align_session"]["httpOnly"],
          f"no HttpOnly align_session cookie: {list(cookies)}")
    check(cookies["align_session"]["sameSite"] == "Strict", f"cookie SameSite {cookies['align_session']['sameSite']}")
    line = canonical({"args": {"id": "probe-" + actor, "title": "Signed in a browser", "fit": ["employees>=200"]},
                      "as": actor, "at": now_iso(), "command": "definition.propose", "key": str(uuid.uuid4())})
    posted = page.evaluate(
        r"""async ([actor, kid, ledgerId, line]) => {
          const id = Uint8Array.from(ledgerId.replace(/-/g, "").match(/../g).map(h => parseInt(h, 16)));
          const kidBytes = Uint8Array.from(kid.match(/../g).map(h => parseInt(h, 16)));
          const l = alignTest.utf8(line); const n = l.length;
          const len = new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
          const msg = alignTest.cat(alignTest.utf8("align-command/v1"), new Uint8Array([0]), id, kidBytes, len, l);
          const signature = await alignTest.sign(actor, msg);
          const r = await fetch("/api/v1/commands", {method: "POST", headers: {"Content-Type": "application/json"},
            body: JSON.stringify({keyId: kid, line, signature})});
          return {status: r.status, body: await r.json()};
        }""", [actor, kid, ledger_id, line])
    check(posted["status"] == 201 and posted["body"].get("ok"), f"the signed command answered {posted}")
    shown = t.ledger.json("definition", "show", "probe-" + actor)
    check("probe-" + actor in json.dumps(shown), f"the CLI does not see the definition: {shown}")
    page.close()


# --------------------------------------------------------------------------------------------------------------
# The runner


class Tests:
    def __init__(self, args):
        self.args = args
        self.ledger: Ledger | None = None
        self.server: Server | None = None
        self.browser = None
        self.browser_version = ""
        self.notes: list[str] = []
        self.console_errors: list[str] = []
        self.shots = Path(args.screenshots)

    def note(self, text: str) -> None:
        self.notes.append(text)
        log(text)

    def watch(self, page, who: str) -> None:
        def on_console(msg):
            if msg.type == "error":
                self.console_errors.append(f"{who} {page.url}: {msg.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"{who} {page.url}: uncaught {exc}"))

    def new_page(self, context=None, who: str = "probe"):
        context = context or self.browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        self.watch(page, who)
        return page


ALL_TESTS = {
    "healthz": test_healthz,
    "webcrypto": test_webcrypto,
    "api-in-page": test_api_in_page,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--align", default=str(ROOT / ".build/debug/align"), help="the align binary")
    parser.add_argument("--chromium", default=os.environ.get("ALIGN_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--screenshots", default=str(ROOT / "ci-artifacts/screenshots"))
    parser.add_argument("--only", action="append", choices=sorted(ALL_TESTS), help="run this test (repeatable)")
    parser.add_argument("--list", action="store_true", help="name the tests and stop")
    parser.add_argument("--keep", action="store_true", help="keep the temporary ledger and its keys")
    parser.add_argument("--headed", action="store_true", help="show the browser (needs a display)")
    args = parser.parse_args()
    if args.list:
        print("\n".join(ALL_TESTS))
        return 0

    from playwright.sync_api import sync_playwright

    align = Path(args.align)
    if not os.access(align, os.X_OK):
        print(f"browser test: no align binary at {align}; build it: swift build --product align", file=sys.stderr)
        return 2
    t = Tests(args)
    t.shots.mkdir(parents=True, exist_ok=True)
    passed, failed = [], []
    started = time.monotonic()
    t.ledger = Ledger(align, args.keep)
    t.server = Server(t.ledger)
    try:
        t.ledger.create()
        t.server.start()
        with sync_playwright() as pw:
            launch_args = ["--no-sandbox"] if os.geteuid() == 0 else []
            t.browser = pw.chromium.launch(executable_path=args.chromium, headless=not args.headed, args=launch_args)
            t.browser_version = "Chromium " + t.browser.version
            log(f"{t.browser_version} from {args.chromium}, Playwright {importlib.metadata.version('playwright')}")
            for name, test in ALL_TESTS.items():
                if args.only and name not in args.only:
                    continue
                t0 = time.monotonic()
                try:
                    test(t)
                    passed.append(name)
                    log(f"PASS {name} ({time.monotonic() - t0:.1f} s)")
                except Exception as exc:  # noqa: BLE001 (a test's failure, reported and counted)
                    failed.append(name)
                    log(f"FAIL {name} ({time.monotonic() - t0:.1f} s): {exc}")
                    if not isinstance(exc, Failure):
                        traceback.print_exc()
            t.browser.close()
    finally:
        code = t.server.stop()
        if code not in (None, 0):
            log(f"align serve exited {code} on SIGTERM; its last lines:\n" + "\n".join(t.server.lines[-10:]))
            failed.append("serve-shutdown")
        t.ledger.cleanup()
    if t.console_errors:
        log("console errors:\n  " + "\n  ".join(t.console_errors))
    log(f"screenshots in {t.shots}")
    log(f"took {time.monotonic() - started:.1f} s")
    print(f"browser: {len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
