#!/usr/bin/env python3
"""Records real answers of `align serve` and checks them against the OpenAPI document (schemas/openapi.json).

Plays a demo quarter into a fresh ledger (with its cast's keys), signs two checkpoints, starts `align serve` on a free
loopback port, signs in as the demo's people with `align sign --challenge`, and calls every route of the document: the
reads with their filters, a signed command, its replay, and the refusals (no session, unknown parameter, unknown id,
wrong content type, an oversized body, a command for another actor). Each exchange is written to the output folder
(`ci-artifacts/api-responses/` by default, one JSON file per exchange), then validated with openapi-core, an
off-the-shelf validator: the request (path, parameters) against the operation, the response (status, content type,
body) against its schema. Fails when an exchange does not conform, or when a route or a documented status code that
this script is meant to reach was not reached.

Usage: tools/check-api-responses.py [--align .build/debug/align] [--out ci-artifacts/api-responses]
Needs openapi-core (pinned in tools/requirements-apicheck.txt); tools/check-openapi.sh installs it in a venv.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Server:
    """`align serve` on a free loopback port, stopped with SIGTERM."""

    def __init__(self, align, ledger):
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen([align, "serve", "--ledger", ledger, "--listen", "127.0.0.1:0", "--max-body", "4096"],
                                        stdout=subprocess.DEVNULL, stderr=self.stderr)
        deadline = time.time() + 60
        self.base = None
        while time.time() < deadline and self.base is None:
            if self.process.poll() is not None:
                break
            self.stderr.seek(0)
            m = re.search(rb"listening on (http://127\.0\.0\.1:\d+)", self.stderr.read())
            if m:
                self.base = m.group(1).decode()
            else:
                time.sleep(0.1)
        if self.base is None:
            self.stop()
            self.stderr.seek(0)
            sys.exit("align serve did not start:\n" + self.stderr.read().decode(errors="replace"))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Recorder:
    def __init__(self, base, out):
        self.base, self.out = base, out
        self.exchanges = []

    def call(self, method, path, query=None, body=None, token=None, content_type="application/json", name=None):
        url = self.base + path
        if query:
            url += "?" + "&".join(f"{k}={urllib.request.quote(str(v), safe='')}" for k, v in query.items())
        headers = {}
        if body is not None:
            headers["Content-Type"] = content_type
        if token:
            headers["Authorization"] = "Bearer " + token
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                status, rheaders, data = r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            status, rheaders, data = e.code, dict(e.headers), e.read()
        exchange = {"name": name or f"{method} {path}", "method": method.lower(), "path": path, "query": query or {},
                    "requestContentType": content_type if body is not None else None,
                    "requestBody": body.decode("utf-8", "replace") if body is not None and len(body) < 4096 else None,
                    "token": bool(token), "status": status, "contentType": rheaders.get("Content-Type", ""),
                    "body": data.decode("utf-8", "replace")}
        self.exchanges.append(exchange)
        with open(os.path.join(self.out, f"{len(self.exchanges):03d}.json"), "w") as f:
            json.dump(exchange, f, indent=1, sort_keys=True)
        return status, data

    def json(self, *args, **kwargs):
        status, data = self.call(*args, **kwargs)
        return status, json.loads(data) if data.strip().startswith(b"{") else None


def run(align, *args, env=None, stdin=None):
    r = subprocess.run([align, *args], capture_output=True, env=env, input=stdin)
    if r.returncode != 0:
        sys.exit(f"align {' '.join(args)} failed ({r.returncode}):\n{r.stderr.decode(errors='replace')}")
    return r.stdout


def sign_in(rec, align, env, actor):
    _, c = rec.json("POST", "/api/v1/session/challenge", name="challenge")
    signed = run(align, "sign", "--challenge", c["challenge"], "--as", actor, "--ledger-id", c["ledgerId"], env=env)
    status, s = rec.json("POST", "/api/v1/session", body=signed, name=f"sign in as {actor}")
    assert status == 201, (status, s)
    return s["token"]


def record(align, out):
    work = tempfile.mkdtemp(prefix="align-apicheck-")
    try:
        ledger, keys = os.path.join(work, "demo.ledger"), os.path.join(work, "keys")
        env = dict(os.environ, ALIGN_KEYS=keys)
        run(align, "demo", "--ledger", ledger, "--leads", "300", "--seed", "5", "--keys", keys, env=env)
        run(align, "checkpoint", "--ledger", ledger, env=env)
        first_size = json.loads(run(align, "checkpoint", "--latest", "--json", "--ledger", ledger, env=env))["size"]
        server = Server(align, ledger)
        try:
            rec = Recorder(server.base, out)
            play(rec, align, env, ledger, first_size)
        finally:
            server.stop()
        return rec.exchanges
    finally:
        shutil.rmtree(work, ignore_errors=True)


def play(rec, align, env, ledger, first_size):
    # Open routes.
    rec.call("GET", "/healthz")
    rec.call("GET", "/metrics")
    _, info = rec.json("GET", "/api/v1/ledger")
    ledger_id = info["ledgerId"]
    rec.call("GET", "/api/v1/openapi.json")
    rec.call("GET", "/healthz", {"verbose": "1"}, name="unknown parameter on an open route")
    # Reads need a session.
    rec.call("GET", "/api/v1/definitions", name="no session")
    rec.call("GET", "/api/v1/session", name="no session (who am I)")
    rita = sign_in(rec, align, env, "rita")
    sam = sign_in(rec, align, env, "sam")
    rec.call("POST", "/api/v1/session", body=b'{"actor":"rita"}', name="sign-in without a signature")
    rec.call("POST", "/api/v1/session", body=b"{}", content_type="text/plain", name="sign-in as text")
    rec.call("GET", "/api/v1/session", token=rita)

    _, defs = rec.json("GET", "/api/v1/definitions", token=rita)
    definition = defs["definitions"][0]["id"]
    rec.call("GET", "/api/v1/definitions", {"at": "2026-05-01"}, token=rita)
    rec.call("GET", f"/api/v1/definitions/{definition}", token=rita)
    rec.call("GET", f"/api/v1/definitions/{definition}", {"version": 1}, token=rita)
    rec.call("GET", "/api/v1/definitions/no-such-definition", token=rita, name="unknown definition")
    _, camps = rec.json("GET", "/api/v1/campaigns", token=rita)
    rec.call("GET", f"/api/v1/campaigns/{camps['campaigns'][0]['id']}", token=rita)
    _, inbox = rec.json("GET", "/api/v1/leads", {"owner": "sam", "open": "true"}, token=sam)
    rec.call("GET", "/api/v1/leads", {"status": "rejected"}, token=sam)
    rec.call("GET", "/api/v1/leads", {"onwer": "sam"}, token=sam, name="misspelt filter")
    rec.call("GET", "/api/v1/leads", {"status": "lost"}, token=sam, name="unknown status")
    _, all_leads = rec.json("GET", "/api/v1/leads", token=sam)
    lead = all_leads["leads"][0]["id"]
    rec.call("GET", f"/api/v1/leads/{lead}", token=sam)
    rec.call("GET", "/api/v1/leads/L-0", token=sam, name="unknown lead")
    rec.call("GET", "/api/v1/content", token=sam)
    rec.call("GET", "/api/v1/actors", token=sam)
    rec.call("GET", "/api/v1/policy", token=sam)
    for period in ("week", "month", "quarter"):
        rec.call("GET", "/api/v1/scorecard", {"period": period}, token=rita)
    for by in ("actor", "owner", "campaign", "definition"):
        rec.call("GET", "/api/v1/scorecard", {"by": by, "since": "2026-04-01", "until": "2026-07-01"}, token=rita)
    rec.call("GET", "/api/v1/scorecard", {"period": "year"}, token=rita, name="unknown period")
    rec.call("GET", "/api/v1/state", token=rita)
    rec.call("GET", "/api/v1/state", {"position": 40}, token=rita)
    rec.call("GET", "/api/v1/state", {"at": "2026-05-01", "position": 3}, token=rita, name="at and position")
    rec.call("GET", f"/api/v1/audit/who-approved/{definition}", {"at": "2026-06-30"}, token=rita)
    rec.call("GET", f"/api/v1/audit/who-approved/{definition}/proof", token=rita)
    rec.call("GET", f"/api/v1/audit/definitions/{definition}", token=rita)
    rec.call("GET", "/api/v1/audit/actors/sam", {"since": "2026-06-01"}, token=rita)
    rec.call("GET", "/api/v1/audit/stream", {"name": f"lead/{lead}"}, token=rita)
    rec.call("GET", "/api/v1/audit/stream", token=rita, name="stream without a name")
    rec.call("GET", "/api/v1/audit/overrides", token=rita)
    rec.call("GET", "/api/v1/checkpoint", token=rita)
    rec.call("GET", "/api/v1/checkpoint/vkey", token=rita)
    rec.call("GET", "/api/v1/proofs/inclusion/1", token=rita)
    rec.call("GET", "/api/v1/proofs/inclusion/x", token=rita, name="inclusion of a non-position")
    rec.call("GET", "/api/v1/export", {"type": "LeadAccepted", "to": 400}, token=rita)
    rec.call("GET", "/api/v1/export", {"format": "csv", "to": 50}, token=rita)
    rec.call("GET", "/api/v1/export", {"type": "NoSuchEvent"}, token=rita, name="export of an unknown type")
    rec.call("GET", "/api/v1/events", {"from": 1, "limit": 3}, token=rita)
    rec.call("GET", "/api/v1/events", {"from": "x"}, token=rita, name="tail from a non-position")

    # A signed command by sam, posted with sam's session; then again (its nonce is used); then with rita's session.
    if inbox["leads"]:
        line = json.dumps({"command": "lead.accept", "args": {"id": inbox["leads"][0]["id"]}}).encode()
        signed = run(align, "sign", "-", "--as", "sam", "--ledger-id", ledger_id, env=env, stdin=line)
        status, _ = rec.call("POST", "/api/v1/commands", body=signed, token=sam, name="a signed command")
        assert status == 201, status
        rec.call("POST", "/api/v1/commands", body=signed, token=sam, name="the same command again (nonce used)")
        rec.call("POST", "/api/v1/commands", body=signed, token=rita, name="a command for another actor")
        rec.call("POST", "/api/v1/commands", body=signed, token=sam, content_type="text/plain", name="a command as text")
    rec.call("POST", "/api/v1/commands", body=b'{"line": 1}', token=sam, name="malformed command")
    rec.call("POST", "/api/v1/commands", body=b'{"line": "' + b"x" * 8000 + b'"}', token=sam, name="oversized body")
    refused = json.dumps({"command": "definition.sign-off", "args": {"id": definition, "version": 1, "comment": "again"}}).encode()
    signed = run(align, "sign", "-", "--as", "sam", "--ledger-id", ledger_id, env=env, stdin=refused)
    rec.call("POST", "/api/v1/commands", body=signed, token=sam, name="a command the rules refuse")
    rec.call("POST", "/api/v1/commands", body=b"{}", name="a command without a session")

    # A second checkpoint (beside the server, as in production), then a consistency proof between the two.
    run(align, "checkpoint", "--ledger", ledger, env=env)
    rec.call("GET", "/api/v1/proofs/consistency", {"old": first_size}, token=rita)
    rec.call("GET", "/api/v1/proofs/consistency", {"old": 7}, token=rita, name="consistency from an unsigned size")
    rec.call("DELETE", "/api/v1/session", token=sam)
    rec.call("GET", "/api/v1/session", token=sam, name="after sign-out")


def validate(spec, exchanges):
    api = OpenAPI.from_dict(spec)
    problems, reached = [], set()
    for x in exchanges:
        args = {k: str(v) for k, v in x["query"].items()}
        headers = {"Authorization": "Bearer t"} if x["token"] else {}
        request = MockRequest(spec["servers"][0]["url"], x["method"], x["path"], args=args, headers=headers,
                              data=(x["requestBody"] or "").encode(), content_type=x["requestContentType"] or "application/json")
        content_type = x["contentType"].split(";")[0].strip()
        # A stream's body is text to openapi-core (its schema is a string); each record's shape is checked in `streams`.
        body = x["body"].encode() if content_type == "application/json" else x["body"]
        response = MockResponse(body, status_code=x["status"], content_type=content_type)
        try:
            operation = api.validate_response(request, response)
        except Exception as e:  # openapi-core's errors name the schema path; keep the first lines
            detail = "; ".join(str(c) for c in [e, getattr(e, "__cause__", None)] if c)
            problems.append(f"{x['name']}: {x['method'].upper()} {x['path']} -> {x['status']} {content_type}: {detail[:600]}")
            continue
        reached.add((x["method"], x["path"], x["status"]))
    return problems, reached


def streams(spec, exchanges):
    """The records of the streamed answers (export's JSON Lines, the tail's messages) against the Envelope schema."""
    import jsonschema
    envelope = dict(spec["components"]["schemas"]["Envelope"], components=spec["components"])
    validator = jsonschema.Draft202012Validator(envelope)
    problems, records = [], 0
    for x in exchanges:
        if x["status"] != 200:
            continue
        kind = x["contentType"].split(";")[0].strip()
        if kind == "application/x-ndjson":
            lines = [l for l in x["body"].split("\n") if l]
        elif kind == "text/event-stream":
            lines = [l[len("data: "):] for l in x["body"].split("\n") if l.startswith("data: ")]
        else:
            continue
        if not lines:
            problems.append(f"{x['name']}: the stream held no record")
        for line in lines:
            records += 1
            for e in validator.iter_errors(json.loads(line)):
                problems.append(f"{x['name']}: a record does not conform: {e.message}")
    return problems, records


def tampered(exchanges):
    """Copies of recorded answers spoiled as a server bug would (a field renamed, a wrong type, an undocumented status):
    the validator must reject each, or this check proves nothing."""
    spoiled = []
    for x in exchanges:
        if x["status"] == 200 and x["path"] == "/api/v1/leads" and not spoiled:
            body = json.loads(x["body"])
            body["leads"][0]["status"] = "won"
            spoiled.append(dict(x, name="a lead with an unknown status", body=json.dumps(body)))
            del body["leads"][0]["status"]
            spoiled.append(dict(x, name="a lead without its status", body=json.dumps(body)))
        if x["status"] == 200 and x["path"] == "/api/v1/scorecard" and len(spoiled) == 2:
            body = json.loads(x["body"])
            body["overall"]["rejectionRate"] = 0.5
            spoiled.append(dict(x, name="a ratio as a bare number", body=json.dumps(body)))
        if x["status"] == 401 and len(spoiled) == 3:
            spoiled.append(dict(x, name="an undocumented status", status=418))
    return spoiled


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--align", default=os.path.join(ROOT, ".build", "debug", "align"))
    parser.add_argument("--out", default=os.path.join(ROOT, "ci-artifacts", "api-responses"))
    a = parser.parse_args()
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    with open(os.path.join(ROOT, "schemas", "openapi.json")) as f:
        spec = json.load(f)
    exchanges = record(a.align, a.out)
    problems, _ = validate(spec, exchanges)
    stream_problems, records = streams(spec, exchanges)
    problems += stream_problems
    spoiled = tampered(exchanges)
    caught, _ = validate(spec, spoiled)
    if len(spoiled) != 4 or len(caught) != len(spoiled):
        problems.append(f"the validator let spoiled answers through: {len(caught)} of {len(spoiled)} caught")
    # Every operation of the document was called at least once.
    called = {(x["method"], re.sub(r"/[^/]+$", "", x["path"])) for x in exchanges}
    missing = []
    for path, ops in spec["paths"].items():
        for method in ops:
            if method not in ("get", "post", "delete"):
                continue
            pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
            if not any(x["method"] == method and re.match(pattern, x["path"]) for x in exchanges):
                missing.append(f"{method.upper()} {path}")
    statuses = sorted({x["status"] for x in exchanges})
    print(f"{len(exchanges)} exchanges recorded in {os.path.relpath(a.out, ROOT)}: statuses {statuses}")
    for p in problems:
        print("does not conform:", p, file=sys.stderr)
    for m in missing:
        print("not called:", m, file=sys.stderr)
    if problems or missing:
        sys.exit(1)
    operations = sum(1 for p in spec["paths"].values() for m in p if m in ("get", "post", "delete"))
    print(f"all {len(exchanges)} conform to schemas/openapi.json ({operations} operations called, {records} streamed events checked; "
          f"{len(spoiled)} spoiled copies rejected as they must be)")


if __name__ == "__main__":
    main()
