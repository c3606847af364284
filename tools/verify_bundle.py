#!/usr/bin/env python3
"""Checks an alignment-ledger proof bundle offline: no ledger, no Swift, only Python and `cryptography`.

A bundle (`align audit who-approved DEF [--at T] --proof FILE`, format `align-proof-bundle/v1`, described in
docs/FORMAT.md, "Proof bundles") carries an audit answer, the stored records it rests on, an inclusion proof for
each against one signed checkpoint of the ledger's Merkle tree, and what the answer claims about absence. This
program believes none of it. It checks, and prints what it checked:

1. the checkpoint: a C2SP signed note (https://c2sp.org/signed-note) carrying at least one valid Ed25519 signature by
   the verifier key given with --vkey (the auditor's own copy: the bundle's is never trusted), and its body a C2SP
   tlog-checkpoint (origin, tree size in decimal, base64 root hash);
2. each event: its record as docs/FORMAT.md lays it out (lengths must add up), its chain hash recomputed from the
   previous record's hash, and its RFC 9162 inclusion proof (leaf = the stored record bytes) against the
   checkpoint's root, with the tree size taken from the checkpoint;
3. each event's Ed25519 signature (the `align-event/v2` message) by a key registered for its actor on the `ledger`
   stream before it and not revoked, and each event's authority (the role table, as the ledger applies it); for an
   event recorded from a command its actor signed elsewhere (`align serve`; docs/FORMAT.md, "Signed commands"), the
   `align-command/v1` signature of that command, which must name the event's actor, business time and (for a
   definition's events) its definition and version, and record an event of a type the command records;
4. each stream the bundle calls complete: versions 1..K with no gap, all inside the checkpoint;
5. the answer: recomputed from the definition's events and the ledger's (roles, policy), and compared with what the
   bundle says, field by field; the signers held the sales role when they signed; each absence claim holds.

    tools/verify_bundle.py mql-proof.json --vkey 'align/0f4c...+1a2b3c4d+AXm...'
    tools/verify_bundle.py mql-proof.json --vkey "$(cat ledger.vkey)" --json

Exit status: 0 when everything holds; 1 when anything does not (the message names what, and where); 2 on usage.
The helpers (RFC 9162 proofs, signed notes, checkpoints, records) are plain functions, tested by
tools/test_verify_bundle.py.
"""
import argparse
import base64
import binascii
import datetime
import hashlib
import json
import re
import signal
import struct
import sys
import uuid

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover - the message is the point
    sys.stderr.write("verify_bundle.py needs the `cryptography` package: apt-get install python3-cryptography, "
                     "or pip install cryptography\n")
    sys.exit(1)

BUNDLE_FORMAT = "align-proof-bundle/v1"


class Refused(Exception):
    """A check that does not hold; the message names what failed (and where)."""


def sha256(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def ed25519_verifies(public_key, signature, message):
    """Whether `signature` (64 bytes) is `public_key`'s (32 bytes) Ed25519 signature of `message`."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


# MARK: RFC 9162 Merkle tree hashes and proofs

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data):
    """RFC 9162 §2.1.1: SHA-256(0x00 || leaf)."""
    return sha256(b"\x00", data)


def node_hash(left, right):
    """RFC 9162 §2.1.1: SHA-256(0x01 || left || right)."""
    return sha256(b"\x01", left, right)


def _check_hashes(what, hashes):
    for i, h in enumerate(hashes):
        if not isinstance(h, (bytes, bytearray)) or len(h) != HASH_SIZE:
            raise Refused(f"{what}[{i}] is not a {HASH_SIZE}-byte hash")


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 §2.1.3.2: raises Refused unless `proof` proves `leaf` (a leaf hash) at `index` in the tree of `size`
    leaves whose root is `root`."""
    if not (isinstance(index, int) and isinstance(size, int)) or index < 0 or size < 0:
        raise Refused("leaf index and tree size must be non-negative integers")
    if index >= size:
        raise Refused(f"leaf index {index} is not inside a tree of {size} leaves")
    _check_hashes("leaf hash", [leaf])
    _check_hashes("root", [root])
    _check_hashes("inclusion proof", proof)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise Refused(f"inclusion proof has {len(proof)} hashes, more than a tree of {size} leaves needs")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Refused(f"inclusion proof has {len(proof)} hashes, fewer than a tree of {size} leaves needs")
    if r != root:
        raise Refused(f"inclusion proof of leaf {index} leads to root {r.hex()}, not to the checkpoint's {root.hex()}")


def verify_consistency(size1, size2, proof, root1, root2):
    """RFC 9162 §2.1.4.2: raises Refused unless `proof` proves the tree (size1, root1) is a prefix of (size2, root2).
    As transparency-dev/merkle, a proof from the empty tree is refused (it proves nothing), and equal sizes need an
    empty proof and equal roots."""
    if not (isinstance(size1, int) and isinstance(size2, int)) or size1 < 0 or size2 < 0:
        raise Refused("tree sizes must be non-negative integers")
    if size1 > size2:
        raise Refused(f"the first tree ({size1} leaves) is larger than the second ({size2})")
    if size1 == 0:
        raise Refused("a consistency proof from the empty tree proves nothing")
    if size1 == size2:
        if proof:
            raise Refused("trees of equal size need an empty consistency proof")
        if root1 != root2:
            raise Refused(f"trees of {size1} leaves with different roots: {root1.hex()} and {root2.hex()}")
        return
    _check_hashes("first root", [root1])
    _check_hashes("second root", [root2])
    _check_hashes("consistency proof", proof)
    if not proof:
        raise Refused("the consistency proof is empty")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # an exact power of 2
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Refused(f"consistency proof has {len(proof)} hashes, more than trees of {size1} and {size2} leaves need")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Refused(f"consistency proof has {len(proof)} hashes, fewer than trees of {size1} and {size2} leaves need")
    if fr != root1:
        raise Refused(f"consistency proof leads to first root {fr.hex()}, not {root1.hex()}")
    if sr != root2:
        raise Refused(f"consistency proof leads to second root {sr.hex()}, not {root2.hex()}")


def tree_root(leaves):
    """RFC 9162 §2.1.1 MTH over leaf *data* (a reference, for tests and tools; O(n))."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hash(leaves[0])
    k = 1 << ((n - 1).bit_length() - 1)  # the largest power of 2 smaller than n
    return node_hash(tree_root(leaves[:k]), tree_root(leaves[k:]))


def inclusion_proof(index, leaves):
    """RFC 9162 §2.1.3.1 PATH(index, leaves) (a reference, for tests and tools)."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError("index out of range")
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if index < k:
        return inclusion_proof(index, leaves[:k]) + [tree_root(leaves[k:])]
    return inclusion_proof(index - k, leaves[k:]) + [tree_root(leaves[:k])]


def consistency_proof(size1, leaves):
    """RFC 9162 §2.1.4.1 PROOF(size1, leaves) (a reference, for tests and tools)."""
    def subproof(m, d, complete):
        n = len(d)
        if m == n:
            return [] if complete else [tree_root(d)]
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            return subproof(m, d[:k], complete) + [tree_root(d[k:])]
        return subproof(m - k, d[k:], False) + [tree_root(d[:k])]
    if not 0 < size1 <= len(leaves):
        raise ValueError("size out of range")
    return subproof(size1, leaves, True)


# MARK: C2SP signed notes and checkpoints

SIGNATURE_PREFIX = "\u2014 "  # em dash, space
ALG_ED25519 = 1


def note_key_id(name, public_key):
    """The C2SP key id: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key), as a big-endian integer."""
    return struct.unpack(">I", sha256(name.encode("utf-8"), b"\n", bytes([ALG_ED25519]), public_key)[:4])[0]


def _valid_key_name(name):
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


class VerifierKey:
    """A C2SP verifier key, `name+KEYID+base64(0x01 || 32-byte Ed25519 public key)`."""

    def __init__(self, text):
        self.text = text
        name, sep1, rest = text.partition("+")
        hexid, sep2, key64 = rest.partition("+")
        if not (sep1 and sep2) or not _valid_key_name(name):
            raise Refused(f"verifier key {text!r} is not name+keyid+key")
        if not re.fullmatch(r"[0-9a-f]{8}", hexid):
            raise Refused(f"verifier key {text!r}: the key id must be 8 lowercase hex digits")
        try:
            key = base64.b64decode(key64, validate=True)
        except binascii.Error:
            raise Refused(f"verifier key {text!r}: the key is not base64") from None
        if len(key) != 33 or key[0] != ALG_ED25519:
            raise Refused(f"verifier key {text!r} is not an Ed25519 key (0x01 and 32 bytes)")
        self.name = name
        self.public_key = key[1:]
        self.key_id = int(hexid, 16)
        if note_key_id(name, self.public_key) != self.key_id:
            raise Refused(f"verifier key {text!r}: key id {hexid} is not the id of its name and key "
                          f"({note_key_id(name, self.public_key):08x})")

    def __str__(self):
        return f"{self.name}+{self.key_id:08x}"


def open_note(message, key):
    """Opens a C2SP signed note (bytes or str) with one trusted VerifierKey; returns (text, ignored signature lines).

    As Go's sumdb/note `Open`: valid UTF-8 without control characters but newline; the text ends with a newline and is
    followed by a blank line and signature lines (`— name base64(keyid4 || signature)`), each ending in a newline; at
    most 100. A line by the trusted key (its name and key id) must verify, or the note is refused; lines by other keys
    are ignored, including a line under the trusted name with another key id (the spec identifies keys by name and
    id); at least one line by the trusted key must verify."""
    if isinstance(message, str):
        message = message.encode("utf-8")
    try:
        text_all = message.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("the checkpoint note is not valid UTF-8") from None
    if any(ord(c) < 0x20 and c != "\n" for c in text_all):
        raise Refused("the checkpoint note holds a control character")
    split = message.rfind(b"\n\n")
    if split < 0:
        raise Refused("the checkpoint note has no blank line before its signatures")
    text, sigs = message[:split + 1], message[split + 2:]
    if not sigs or not sigs.endswith(b"\n"):
        raise Refused("the checkpoint note's signature lines do not end with a newline")
    lines = sigs[:-1].split(b"\n")
    if len(lines) > 100:
        raise Refused("the checkpoint note has more than 100 signatures")
    verified, ignored, other_ids = 0, [], []
    seen = set()
    for raw in lines:
        line = raw.decode("utf-8")
        if not line.startswith(SIGNATURE_PREFIX):
            raise Refused(f"the checkpoint note has a line that is not a signature: {line[:60]!r}")
        name, sp, b64 = line[len(SIGNATURE_PREFIX):].partition(" ")
        try:
            sig = base64.b64decode(b64, validate=True)
        except binascii.Error:
            sig = b""
        if not sp or not _valid_key_name(name) or not b64 or len(sig) < 5:
            raise Refused(f"the checkpoint note has a malformed signature line: {line[:60]!r}")
        key_id = struct.unpack(">I", sig[:4])[0]
        if name != key.name or key_id != key.key_id:
            ignored.append(f"{name}+{key_id:08x}")
            if name == key.name:
                other_ids.append(f"{key_id:08x}")
            continue
        if (name, key_id) in seen:
            continue
        seen.add((name, key_id))
        if not ed25519_verifies(key.public_key, sig[4:], text):
            raise Refused(f"the checkpoint's signature by {key} does not verify")
        verified += 1
    if verified == 0:
        why = f"no signature by the trusted key {key}"
        if other_ids:
            why += (f" (a line names {key.name} with key id {', '.join(other_ids)}: another key under that name, "
                    "not the one you trust)")
        raise Refused(why + "; check --vkey: it must be the verifier key of the ledger that made the bundle")
    return text.decode("utf-8"), ignored


class Checkpoint:
    """A C2SP tlog-checkpoint body: origin, tree size, root hash, extension lines."""

    def __init__(self, text):
        if not text.endswith("\n"):
            raise Refused("the checkpoint body does not end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise Refused("the checkpoint has fewer than three lines (origin, size, root)")
        self.origin, size, root = lines[0], lines[1], lines[2]
        self.extensions = lines[3:]
        if not self.origin:
            raise Refused("the checkpoint's origin line is empty")
        if not re.fullmatch(r"0|[1-9][0-9]*", size):
            raise Refused(f"the checkpoint's size {size!r} is not a decimal number without leading zeros")
        self.size = int(size)
        if self.size >= 1 << 64:
            raise Refused(f"the checkpoint's size {size} does not fit in 64 bits")
        try:
            self.root = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise Refused("the checkpoint's root hash is not base64") from None
        if len(self.root) != HASH_SIZE or base64.b64encode(self.root).decode() != root:
            raise Refused(f"the checkpoint's root hash {root!r} is not the base64 of {HASH_SIZE} bytes")
        if any(not e for e in self.extensions):
            raise Refused("the checkpoint has an empty extension line")


def open_checkpoint(note, key):
    """Verifies a signed checkpoint note with the trusted key and parses its body; returns (Checkpoint, ignored)."""
    text, ignored = open_note(note, key)
    return Checkpoint(text), ignored


# MARK: Records (docs/FORMAT.md, "The record")

HEADER_SIZE = 88


class Record:
    """A stored record, decoded as docs/FORMAT.md lays it out. Refuses one whose lengths do not add up."""

    def __init__(self, position, raw):
        self.position, self.raw = position, raw
        if len(raw) < HEADER_SIZE + HASH_SIZE:
            raise Refused(f"position {position}: the record has {len(raw)} bytes, fewer than its header")
        if raw[0] != 1:
            raise Refused(f"position {position}: unknown record layout {raw[0]}")
        flags, schema, s, t, a, g, p = struct.unpack_from("<BHHHHHI", raw, 1)
        total = HEADER_SIZE + s + t + a + g + p + HASH_SIZE
        if total != len(raw):
            raise Refused(f"position {position}: the record's lengths add up to {total} bytes, but it has {len(raw)}")
        self.flags, self.schema_version = flags, schema
        self.version, self.recorded_at, self.occurred_at = struct.unpack_from("<Qqq", raw, 16)
        self.id = raw[40:56]
        self.correlation = raw[56:72] if flags & 1 else None
        self.causation = raw[72:88] if flags & 2 else None
        o = HEADER_SIZE

        def take(n):
            nonlocal o
            o += n
            return raw[o - n:o]
        try:
            self.stream = take(s).decode("utf-8")
            self.type = take(t).decode("utf-8")
            self.actor = take(a).decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(f"position {position}: the record's stream, type or actor is not UTF-8") from None
        self.signature = take(g)
        self.payload = take(p)
        self.body = raw[:-HASH_SIZE]
        self.hash = raw[-HASH_SIZE:]

    def chain_hash(self, previous):
        """hash(n) = SHA-256(hash(n-1) || u64 BE n || record n without its trailing 32 bytes)."""
        return sha256(previous, struct.pack(">Q", self.position), self.body)

    def signed_message(self, ledger_id, previous, key_id, imported):
        """The `align-event/v2` message (docs/FORMAT.md, "Signatures")."""
        def text(s):
            b = s.encode("utf-8")
            return struct.pack(">H", len(b)) + b
        zeros = bytes(16)
        return b"".join([
            b"align-event/v2\x00", ledger_id, struct.pack(">Q", self.position), previous, self.id,
            text(self.stream), text(self.type), struct.pack(">H", self.schema_version),
            struct.pack(">q", self.occurred_at), text(self.actor), key_id, bytes([1 if imported else 0]),
            self.correlation or zeros, self.causation or zeros, struct.pack(">I", len(self.payload)), self.payload])

    def where(self):
        return f"position {self.position} ({self.type} on {self.stream}, v{self.version}, by {self.actor})"


# The event types each command may record, on the streams a bundle carries (`ledger`, `definition/...`).
COMMAND_EVENTS = {
    "definition.propose": {"LeadDefinitionProposed"}, "definition.sign-off": {"LeadDefinitionSignedOff"},
    "definition.reject": {"LeadDefinitionRejected"}, "definition.activate": {"LeadDefinitionActivated"},
    "definition.retire": {"LeadDefinitionRetired"}, "actor.add": {"ActorRegistered", "ActorKeyRegistered"},
    "actor.roles": {"ActorRolesChanged"}, "actor.deactivate": {"ActorDeactivated"}, "actor.key-add": {"ActorKeyRegistered"},
    "actor.key-rotate": {"ActorKeyRegistered", "ActorKeyRevoked"}, "actor.key-revoke": {"ActorKeyRevoked"},
    "policy.set": {"PolicyChanged"}, "policy.require-signatures": {"SignaturesRequired"}, "import.record": {"RecordsImported"},
}


def apply_event_id(ledger_id, key):
    """The id of the first event of a command with idempotency key (nonce) `key`: SHA-256 of
    "align-apply-key/v1" 0x00 || ledger id || key, as a version-8 UUID (16 bytes)."""
    d = bytearray(sha256(b"align-apply-key/v1\x00", ledger_id, key.encode("utf-8"))[:16])
    d[6] = (d[6] & 0x0F) | 0x80
    d[8] = (d[8] & 0x3F) | 0x80
    return bytes(d)


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate keys")
    return dict(pairs)


def check_command_signature(r, p, ledger_id, state, before):
    """An event recorded from a signed command (signature field scheme 2: flags, key id, the Ed25519 signature of
    "align-command/v1" 0x00 || ledger id || key id || u32 BE |line| || line, then the line: an apply line in canonical
    JSON). Checks the line names the event's actor and business time, that the event is the command's first (its id
    derived from the nonce) or follows it with the same field, that the command records this type of event (and, on a
    definition's stream, for that definition and version), and the signature by a registered, unrevoked key of the
    actor. Returns the key id and its record. (`align verify` also decides the command again against the whole
    ledger; a bundle holds two streams only, so this checks what the command says, not everything it decides.)"""
    sig = r.signature
    if len(sig) <= 74 or sig[1] != 0:
        raise Refused(f"{r.where()}: the signed command field is not one of this format")
    kid, signature, line = sig[2:10].hex(), sig[10:74], sig[74:]
    try:
        cmd = json.loads(line.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError):
        raise Refused(f"{r.where()}: its signed command is not a JSON line") from None
    if not isinstance(cmd, dict) or not all(isinstance(cmd.get(k), str) for k in ("command", "as", "at", "key")):
        raise Refused(f"{r.where()}: its signed command lacks \"command\", \"as\", \"at\" or \"key\"")
    if cmd["as"] != r.actor:
        raise Refused(f"{r.where()}: its command is signed as {cmd['as']!r}, not by its actor")
    if parse_time(cmd["at"]) != r.occurred_at:
        raise Refused(f"{r.where()}: its business time is not its signed command's ({cmd['at']})")
    if r.id != apply_event_id(ledger_id, cmd["key"]) and before != (sig, r.correlation, r.position - 1):
        raise Refused(f"{r.where()}: it carries a signed command, but is neither the command's first event nor follows it")
    name, args = cmd["command"], cmd.get("args") or {}
    if r.type not in COMMAND_EVENTS.get(name, ()):
        raise Refused(f"{r.where()}: a signed {name!r} does not record a {r.type}")
    if r.stream.startswith("definition/"):
        if not isinstance(args, dict) or args.get("id") != p.get("definition"):
            raise Refused(f"{r.where()}: its signed command is about definition {args.get('id')!r}, not {p.get('definition')!r}")
        if "version" in args and args.get("version") != p.get("version"):
            raise Refused(f"{r.where()}: its signed command is about version {args.get('version')!r}, not {p.get('version')!r}")
    k = state.keys.get(kid)
    if k is None:
        raise Refused(f"{r.where()} is signed by key {kid}, which is not registered before it")
    if k["revoked"] is not None:
        raise Refused(f"{r.where()} is signed by key {kid} of {k['actor']!r}, revoked at position {k['revoked']}")
    if key_id(k["key"]) != kid:
        raise Refused(f"{r.where()}: key id {kid} is not the id of the key it names")
    if k["actor"] != r.actor:
        raise Refused(f"{r.where()} is signed by key {kid} of {k['actor']!r}, not of its actor")
    message = b"align-command/v1\x00" + ledger_id + sig[2:10] + struct.pack(">I", len(line)) + line
    if not ed25519_verifies(k["key"], signature, message):
        raise Refused(f"{r.where()}: the signature of its command by key {kid} does not verify")
    return kid, k


def parse_payload(r):
    """The payload as JSON; refuses one that is not an object, or repeats a key."""
    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            raise Refused(f"position {r.position}: the payload repeats a key")
        return dict(pairs)
    try:
        value = json.loads(r.payload.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError):
        raise Refused(f"position {r.position}: the payload is not JSON") from None
    if not isinstance(value, dict):
        raise Refused(f"position {r.position}: the payload is not a JSON object")
    return value


# MARK: Times

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})")
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def parse_time(text):
    """Microseconds since the epoch of an ISO 8601 date-time (as the ledger prints them); None for None."""
    if text is None:
        return None
    m = _ISO.fullmatch(text) if isinstance(text, str) else None
    if not m:
        raise Refused(f"{text!r} is not an ISO 8601 date-time")
    y, mo, d, h, mi, s, frac, zone = m.groups()
    tz = datetime.timezone.utc
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        tz = datetime.timezone(sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        t = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=tz)
    except ValueError:
        raise Refused(f"{text!r} is not a date-time") from None
    delta = t - _EPOCH
    us = (delta.days * 86400 + delta.seconds) * 1_000_000
    if frac:
        us += round(int(frac) * 10 ** (6 - len(frac))) if len(frac) <= 6 else round(int(frac) / 10 ** (len(frac) - 6))
    return us


def format_time(us):
    """As the ledger prints times: UTC, fractional seconds only when there are any, to the microsecond."""
    if us is None:
        return None
    t = _EPOCH + datetime.timedelta(microseconds=us)
    out = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        out += ("." + f"{t.microsecond:06d}").rstrip("0")
    return out + "Z"


# MARK: The ledger's rules, as far as a bundle needs them

ROLES = {"marketing", "sales", "revops", "viewer"}
# Who may record each event type (Sources/AlignmentDomain/Authority.swift).
RECORDED_BY = {
    "LedgerInitialized": {"revops"}, "ActorRegistered": {"revops"}, "ActorRolesChanged": {"revops"},
    "ActorDeactivated": {"revops"}, "PolicyChanged": {"revops"}, "SignaturesRequired": {"revops"},
    "RecordsImported": {"revops"}, "ActorKeyRegistered": set(ROLES), "ActorKeyRevoked": set(ROLES),
    "LeadDefinitionProposed": {"marketing", "sales"}, "LeadDefinitionSignedOff": {"sales"},
    "LeadDefinitionRejected": {"sales"}, "LeadDefinitionActivated": {"marketing", "revops"},
    "LeadDefinitionRetired": {"marketing", "revops"},
}
LEDGER_TYPES = {"LedgerInitialized", "ActorRegistered", "ActorRolesChanged", "ActorDeactivated", "PolicyChanged",
                "ActorKeyRegistered", "ActorKeyRevoked", "SignaturesRequired", "RecordsImported"}
DEFINITION_TYPES = {"LeadDefinitionProposed", "LeadDefinitionSignedOff", "LeadDefinitionRejected",
                    "LeadDefinitionActivated", "LeadDefinitionRetired"}
DEFAULT_MAX_BACKDATE_HOURS = 72
# Ed25519 points of small order (Sources/AlignmentDomain/Keys.swift), compared with the sign bit cleared.
_P = b"\xff" * 30 + b"\x7f"
SMALL_ORDER = {
    bytes(32), b"\x01" + bytes(31),
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    b"\xec" + _P, b"\xed" + _P, b"\xee" + _P,
}


def b64url(text):
    """Base64url without padding (keys, proofs)."""
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        return None


def public_key(text):
    """The 32 bytes of `ed25519:BASE64URL`; None for anything else or a point of small order."""
    if not isinstance(text, str):
        return None
    raw = b64url(text[8:] if text.startswith("ed25519:") else text)
    if raw is None or len(raw) != 32 or bytes(raw[:31] + bytes([raw[31] & 0x7F])) in SMALL_ORDER:
        return None
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        return None
    return raw


def key_id(raw):
    """An actor key's id: the first 8 bytes of SHA-256 of the key, in hex."""
    return hashlib.sha256(raw).digest()[:8].hex()


def _field(payload, name, kind, where, optional=False):
    v = payload.get(name)
    if v is None and optional:
        return None
    ok = isinstance(v, kind) and not (kind is int and isinstance(v, bool))
    if not ok:
        raise Refused(f"{where}: the payload's {name!r} is missing or not a {kind.__name__}")
    return v


def _roles(payload, where):
    roles = _field(payload, "roles", list, where)
    if any(r not in ROLES for r in roles):
        raise Refused(f"{where}: unknown role in {roles}")
    return roles


class LedgerState:
    """The `ledger` stream folded in position order: actors, keys, policy, and each actor's roles over business time
    (as LedgerState and LedgerTimeline in Sources/AlignmentDomain)."""

    def __init__(self):
        self.initialized = False
        self.actors = {}         # id -> {"roles": [...], "active": bool}
        self.keys = {}           # key id -> {"actor", "key", "registered", "by", "revoked"}
        self.signatures_required = False
        self.max_backdate_hours = DEFAULT_MAX_BACKDATE_HOURS
        self.timeline = {}       # actor -> [(from_us, roles, active)] in order of business time

    def _timeline_add(self, actor, at, roles, active):
        spans = self.timeline.setdefault(actor, [])
        i = len(spans)
        while i > 0 and spans[i - 1][0] > at:
            i -= 1
        if i > 0 and spans[i - 1][1] == list(roles) and spans[i - 1][2] == active:
            return
        spans.insert(i, (at, list(roles), active))

    def status(self, actor, at):
        """(roles, active) of `actor` at business time `at`; None before they were registered."""
        found = None
        for span in self.timeline.get(actor, []):
            if span[0] <= at:
                found = span
        return None if found is None else (found[1], found[2])

    def evolve(self, r, p):
        where = r.where()
        t = r.type
        if t == "LedgerInitialized":
            if not self.initialized:
                self.initialized = True
                raw = public_key(p.get("key"))
                if raw is not None:
                    self.keys[key_id(raw)] = {"actor": p.get("admin"), "key": raw, "registered": r.position,
                                              "by": p.get("admin"), "revoked": None}
        elif t == "ActorKeyRegistered":
            raw = public_key(p.get("publicKey"))
            if raw is not None and key_id(raw) not in self.keys:
                self.keys[key_id(raw)] = {"actor": p.get("actor"), "key": raw, "registered": r.position,
                                          "by": r.actor, "revoked": None}
        elif t == "ActorKeyRevoked":
            k = self.keys.get(p.get("keyID"))
            if k is not None:
                k["revoked"] = r.position
        elif t == "SignaturesRequired":
            self.signatures_required = True
        elif t == "ActorRegistered":
            actor, roles = _field(p, "actor", str, where), _roles(p, where)
            self.actors[actor] = {"roles": roles, "active": True}
            self._timeline_add(actor, r.occurred_at, roles, True)
        elif t == "ActorRolesChanged":
            actor, roles = _field(p, "actor", str, where), _roles(p, where)
            active = self.actors.get(actor, {}).get("active", True)
            self._timeline_add(actor, r.occurred_at, roles, active)
            if actor in self.actors:
                self.actors[actor]["roles"] = roles
        elif t == "ActorDeactivated":
            actor = _field(p, "actor", str, where)
            self._timeline_add(actor, r.occurred_at, self.actors.get(actor, {}).get("roles", []), False)
            if actor in self.actors:
                self.actors[actor]["active"] = False
        elif t == "PolicyChanged":
            policy = _field(p, "policy", dict, where)
            hours = policy.get("maxBackdateHours")
            self.max_backdate_hours = hours if isinstance(hours, int) else DEFAULT_MAX_BACKDATE_HOURS

    def authority_problem(self, r, p, genesis):
        """None when r's actor could record it (Authority.problem), else why not."""
        t = r.type
        if t == "LedgerInitialized":
            return None if r.position == 1 and not self.initialized else "a ledger is initialised once, at position 1"
        if t == "ActorKeyRegistered":
            raw = public_key(p.get("publicKey"))
            if raw is None:
                return "the registered key is not a usable public key"
            if key_id(raw) != p.get("keyID"):
                return f"the key id {p.get('keyID')} is not the id of the key registered ({key_id(raw)})"
            proof = b64url(p.get("proof"))
            actor = p.get("actor") if isinstance(p.get("actor"), str) else ""
            possession = b"align-key-possession/v1\x00" + actor.encode("utf-8") + b"\x00" + raw
            if proof is None or not ed25519_verifies(raw, proof, possession):
                return f"the key's proof of possession does not check for {actor!r}"
            if key_id(raw) in self.keys:
                return f"key {key_id(raw)} is registered already"
            if actor not in self.actors and not genesis:
                return f"key {key_id(raw)} is registered for {actor!r}, who is not an actor"
        if t == "ActorKeyRevoked":
            k = self.keys.get(p.get("keyID"))
            if k is None or k["actor"] != p.get("actor"):
                return f"key {p.get('keyID')} is not a key of {p.get('actor')!r}"
        if genesis:
            return None
        a = self.actors.get(r.actor)
        if a is None or not a["active"]:
            return f"{r.actor!r} is not an active actor"
        if t in ("ActorKeyRegistered", "ActorKeyRevoked") and p.get("actor") == r.actor:
            return None
        roles = set(a["roles"])
        if t == "LeadDefinitionActivated" and p.get("override") is not None:
            return None if "revops" in roles else f"an override is recorded by revops only; {r.actor!r} has roles {sorted(roles)}"
        if t in ("ActorKeyRegistered", "ActorKeyRevoked") and "revops" not in roles:
            return "only revops registers or revokes another actor's key"
        allowed = RECORDED_BY.get(t)
        if allowed is None:
            return None  # another stream's event type: its authority is not this bundle's question
        if not roles & allowed:
            return f"{t} is recorded by {' or '.join(sorted(allowed))}; {r.actor!r} has roles {', '.join(sorted(roles))}"
        return None


# MARK: The who-approved answer, recomputed (AlignmentLedger+Queries.swift `whoApproved`, DefinitionState.evolve)

def fold_definition(events):
    """Folds a definition stream's events (Record, payload) in position order, as DefinitionState.evolve does."""
    versions, activations = [], []
    for r, p in events:
        where, t = r.where(), r.type
        if t == "LeadDefinitionProposed":
            versions.append({"version": _field(p, "version", int, where), "title": _field(p, "title", str, where),
                             "author": r.actor, "proposedAt": r.occurred_at, "signOffs": [], "rejections": []})
        elif t in ("LeadDefinitionSignedOff", "LeadDefinitionRejected"):
            v = _field(p, "version", int, where)
            text = _field(p, "comment", str, where, optional=True) if t == "LeadDefinitionSignedOff" else _field(p, "reason", str, where)
            if 1 <= v <= len(versions):
                key = "signOffs" if t == "LeadDefinitionSignedOff" else "rejections"
                versions[v - 1][key].append({"actor": r.actor, "at": r.occurred_at, "comment": text,
                                             "position": r.position, "recordedAt": r.recorded_at})
        elif t == "LeadDefinitionActivated":
            if activations and activations[-1]["until"] is None:
                activations[-1]["until"] = r.occurred_at
            override = _field(p, "override", dict, where, optional=True)
            if override is not None:
                override = {"reason": _field(override, "reason", str, where), "rule": _field(override, "rule", str, where)}
            activations.append({"version": _field(p, "version", int, where), "from": r.occurred_at, "until": None,
                                "override": override, "position": r.position, "recordedAt": r.recorded_at,
                                "actor": r.actor})
        elif t == "LeadDefinitionRetired":
            if activations and activations[-1]["until"] is None:
                activations[-1]["until"] = r.occurred_at
    return versions, activations


def backdated(at, recorded_at, hours):
    return recorded_at - at > hours * 3600 * 1_000_000


def recompute_answer(definition, at, events, max_backdate_hours):
    """The who-approved answer at business time `at` (µs) from the definition stream's (Record, payload) pairs."""
    versions, activations = fold_definition(events)
    if not versions:
        raise Refused(f"the bundle holds no proposal of definition {definition!r}: there is nothing to approve")
    a = {"definition": definition, "at": at, "version": None, "title": None, "activeFrom": None, "activeUntil": None,
         "activationPosition": None, "activationRecordedAt": None, "activationBackdated": None,
         "maxBackdateHours": max_backdate_hours, "override": None, "signOffs": [],
         "author": None, "proposedAt": None, "activatedBy": None, "rejections": []}
    act = None
    for x in activations:
        if x["from"] <= at and (x["until"] is None or at < x["until"]):
            act = x
    if act is None or not 1 <= act["version"] <= len(versions):
        return a
    v = versions[act["version"] - 1]
    h = max_backdate_hours
    a.update({
        "version": v["version"], "title": v["title"], "activeFrom": act["from"], "activeUntil": act["until"],
        "override": act["override"], "activationPosition": act["position"], "activationRecordedAt": act["recordedAt"],
        "activationBackdated": backdated(act["from"], act["recordedAt"], h),
        "author": v["author"], "proposedAt": v["proposedAt"], "activatedBy": act["actor"],
        "signOffs": [dict(s, backdated=backdated(s["at"], s["recordedAt"], h)) for s in v["signOffs"]],
        "rejections": [dict(s, backdated=backdated(s["at"], s["recordedAt"], h)) for s in v["rejections"]],
    })
    return a


def _answer_view(a):
    """The recomputed answer with times as text (for printing and --json)."""
    def verdict(s, text="comment"):
        out = {"actor": s["actor"], "at": format_time(s["at"]), "position": s["position"],
               "recordedAt": format_time(s["recordedAt"]), "backdated": s["backdated"]}
        if s.get("comment") is not None:
            out[text] = s["comment"]
        return out
    out = {k: v for k, v in a.items() if v is not None and k not in ("signOffs", "rejections")}
    for k in ("at", "activeFrom", "activeUntil", "activationRecordedAt", "proposedAt"):
        if k in out:
            out[k] = format_time(out[k])
    out["signOffs"] = [verdict(s) for s in a["signOffs"]]
    out["rejections"] = [verdict(s, "reason") for s in a["rejections"]]
    return out


def compare_answer(claimed, computed):
    """Raises Refused at the first field that matters where the bundle's answer differs from the recomputed one."""
    if not isinstance(claimed, dict):
        raise Refused("the bundle's answer is not a JSON object")

    def same(name, want, got, where="answer"):
        if want != got:
            raise Refused(f"{where}.{name} says {got!r}, but the events say {want!r}")

    def time_field(obj, name, where="answer"):
        try:
            return parse_time(obj.get(name))
        except Refused as e:
            raise Refused(f"{where}.{name}: {e}") from None

    same("definition", computed["definition"], claimed.get("definition"))
    same("at", format_time(computed["at"]), format_time(time_field(claimed, "at")))
    same("version", computed["version"], claimed.get("version"))
    same("title", computed["title"], claimed.get("title"))
    for name in ("activeFrom", "activeUntil", "activationRecordedAt"):
        same(name, format_time(computed[name]), format_time(time_field(claimed, name)))
    same("activationPosition", computed["activationPosition"], claimed.get("activationPosition"))
    same("activationBackdated", computed["activationBackdated"], claimed.get("activationBackdated"))
    same("maxBackdateHours", computed["maxBackdateHours"], claimed.get("maxBackdateHours"))
    same("override", computed["override"], claimed.get("override"))
    # Fields of the richer answer (who proposed and activated, the rejections): checked when the answer states them.
    for name in ("author", "activatedBy"):
        if name in claimed:
            same(name, computed[name], claimed.get(name))
    if "proposedAt" in claimed:
        same("proposedAt", format_time(computed["proposedAt"]), format_time(time_field(claimed, "proposedAt")))
    lists = [("signOffs", "comment")] + ([("rejections", "reason")] if "rejections" in claimed else [])
    for name, text in lists:
        got = claimed.get(name)
        want = computed[name]
        if not isinstance(got, list):
            raise Refused(f"answer.{name} is not a list")
        if len(got) != len(want):
            raise Refused(f"answer.{name} lists {len(got)}, but the events hold {len(want)}: "
                          f"{', '.join(s['actor'] + ' at position ' + str(s['position']) for s in want) or 'none'}")
        for i, (g, w) in enumerate(zip(got, want)):
            if not isinstance(g, dict):
                raise Refused(f"answer.{name}[{i}] is not an object")
            where = f"answer.{name}[{i}]"
            same("actor", w["actor"], g.get("actor"), where)
            same("position", w["position"], g.get("position"), where)
            same("at", format_time(w["at"]), format_time(time_field(g, "at", where)), where)
            same(text, w.get("comment"), g.get(text), where)
            if "recordedAt" in g:
                same("recordedAt", format_time(w["recordedAt"]), format_time(time_field(g, "recordedAt", where)), where)
            if "backdated" in g:
                same("backdated", w["backdated"], g.get("backdated"), where)


# MARK: The bundle

def _hex32(value, what):
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{64}", value):
        raise Refused(f"{what} is not 64 lowercase hex digits")
    return bytes.fromhex(value)


def _int_field(obj, name, what, minimum=0):
    v = obj.get(name) if isinstance(obj, dict) else None
    if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
        raise Refused(f"{what}: {name!r} is missing or not an integer >= {minimum}")
    return v


def verify_bundle(bundle, vkey_text, say=lambda line: None):
    """Checks a parsed bundle against the trusted verifier key; returns a report (dict). Raises Refused."""
    report = {"ok": False}
    if not isinstance(bundle, dict):
        raise Refused("the bundle is not a JSON object")
    if bundle.get("format") != BUNDLE_FORMAT:
        raise Refused(f"the bundle's format is {bundle.get('format')!r}, not {BUNDLE_FORMAT!r}")
    try:
        ledger_id = uuid.UUID(bundle.get("ledger")).bytes
    except (TypeError, ValueError, AttributeError):
        raise Refused("the bundle's ledger is not a UUID") from None
    ledger_text = str(uuid.UUID(bytes=ledger_id))

    # 1. The checkpoint, with the auditor's key.
    key = VerifierKey(vkey_text)
    note = bundle.get("checkpoint")
    if not isinstance(note, str):
        raise Refused("the bundle has no checkpoint note")
    hint = bundle.get("verifierKey")
    try:
        cp, ignored = open_checkpoint(note, key)
    except Refused as e:
        if isinstance(hint, str) and hint != vkey_text:
            raise Refused(f"{e} (the bundle names the verifier key {hint!r}; it is only a hint, never trusted)") from None
        raise
    m = re.fullmatch(r"align/([0-9a-fA-F-]{36})", cp.origin)
    if m and uuid.UUID(m.group(1)).bytes != ledger_id:
        raise Refused(f"the checkpoint's origin {cp.origin!r} names another ledger than the bundle's {ledger_text}")
    report["checkpoint"] = {"origin": cp.origin, "size": cp.size, "root": cp.root.hex(), "key": str(key),
                            "ignoredSignatures": ignored}
    say(f"ok  checkpoint signed by {key}: {cp.origin}, {cp.size} events, root {cp.root.hex()}"
        + (f" (ignored signatures by {', '.join(ignored)})" if ignored else ""))

    # 2. Each event: record, chain hash, inclusion in the checkpoint's tree.
    entries = bundle.get("events")
    if not isinstance(entries, list) or not entries:
        raise Refused("the bundle holds no events")
    records, seen = [], set()
    for i, e in enumerate(entries):
        what = f"events[{i}]"
        if not isinstance(e, dict):
            raise Refused(f"{what} is not an object")
        pos = _int_field(e, "position", what, minimum=1)
        what = f"the event at position {pos}"
        if pos in seen:
            raise Refused(f"{what} appears twice")
        seen.add(pos)
        if pos > cp.size:
            raise Refused(f"{what} is past the checkpoint's {cp.size} events")
        try:
            raw = base64.b64decode(e.get("record"), validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise Refused(f"{what}: its record is not base64") from None
        r = Record(pos, raw)
        previous = _hex32(e.get("previousHash"), f"{what}: previousHash")
        if pos == 1 and previous != bytes(32):
            raise Refused(f"{what}: the first record's previous hash must be 32 zero bytes")
        if r.chain_hash(previous) != r.hash:
            raise Refused(f"{what}: the chain hash recomputed from previousHash is {r.chain_hash(previous).hex()}, "
                          f"but the record stores {r.hash.hex()}")
        proof = e.get("inclusion")
        if not isinstance(proof, list):
            raise Refused(f"{what}: no inclusion proof")
        hashes = [_hex32(h, f"{what}: inclusion[{j}]") for j, h in enumerate(proof)]
        try:
            verify_inclusion(pos - 1, cp.size, leaf_hash(raw), hashes, cp.root)
        except Refused as err:
            raise Refused(f"{what}: {err}") from None
        r.previous = previous
        records.append(r)
    records.sort(key=lambda r: r.position)
    for a, b in zip(records, records[1:]):
        if b.position == a.position + 1 and b.previous != a.hash:
            raise Refused(f"position {b.position}: previousHash is not the hash of the record at position {a.position}")
    say(f"ok  {len(records)} records: each decodes, its chain hash checks, and it is in the checkpoint's tree")

    # 3. Signatures and authority, in position order, against the ledger stream folded so far.
    state = LedgerState()
    payloads = {}
    genesis_correlation = None
    imports = {}
    signed = unsigned = 0
    signer_status = {}
    keys_used = {}
    last_command = None  # (field, correlation id, position) of the last event recorded from a signed command
    for r in records:
        p = parse_payload(r)
        payloads[r.position] = p
        if r.schema_version != 1:
            raise Refused(f"{r.where()}: schema version {r.schema_version} is not one this verifier knows")
        if r.stream == "ledger" or r.stream.startswith("definition/"):
            kinds = LEDGER_TYPES if r.stream == "ledger" else DEFINITION_TYPES
            if r.type not in kinds:
                raise Refused(f"{r.where()}: {r.type} is not an event type of stream {r.stream}")
        genesis = r.position == 1 or (genesis_correlation is not None and r.correlation == genesis_correlation)
        why = state.authority_problem(r, p, genesis)
        if why:
            raise Refused(f"{r.where()} was not within its actor's authority: {why}")
        if not r.signature:
            if state.signatures_required:
                raise Refused(f"{r.where()} is not signed, and the ledger requires signatures")
            unsigned += 1
        elif r.signature[:1] == b"\x02":
            kid, k = check_command_signature(r, p, ledger_id, state, last_command)
            signed += 1
            keys_used[kid] = {"actor": k["actor"], "registeredAt": k["registered"], "registeredBy": k["by"]}
        else:
            sig = r.signature
            if len(sig) != 74 or sig[0] != 1 or sig[1] & ~1:
                raise Refused(f"{r.where()}: the signature field is not an Ed25519 signature of this format")
            imported, kid = bool(sig[1] & 1), sig[2:10].hex()
            if r.type == "LedgerInitialized" and r.position == 1 and public_key(p.get("key")) is not None:
                k = {"actor": p.get("admin"), "key": public_key(p.get("key")), "registered": 1, "by": p.get("admin")}
            else:
                k = state.keys.get(kid)
                if k is None:
                    raise Refused(f"{r.where()} is signed by key {kid}, which is not registered before it")
                if k["revoked"] is not None:
                    raise Refused(f"{r.where()} is signed by key {kid} of {k['actor']!r}, revoked at position {k['revoked']}")
            if key_id(k["key"]) != kid:
                raise Refused(f"{r.where()}: key id {kid} is not the id of the key it names")
            if imported:
                a = state.actors.get(k["actor"])
                if a is None or not a["active"] or "revops" not in a["roles"]:
                    raise Refused(f"{r.where()} is signed as an import by key {kid}, whose actor {k['actor']!r} is not an active revops member")
                if r.causation is None or imports.get(r.causation) != kid:
                    raise Refused(f"{r.where()}: an import must be caused by an earlier RecordsImported signed by the same key {kid}")
            elif k["actor"] != r.actor and not genesis:
                raise Refused(f"{r.where()} is signed by key {kid} of {k['actor']!r}, not of its actor")
            if not ed25519_verifies(k["key"], sig[10:], r.signed_message(ledger_id, r.previous, sig[2:10], imported)):
                raise Refused(f"{r.where()}: the signature by key {kid} does not verify")
            signed += 1
            keys_used[kid] = {"actor": k["actor"], "registeredAt": k["registered"], "registeredBy": k["by"]}
            if r.type == "RecordsImported":
                imports[r.id] = kid
        last_command = (r.signature, r.correlation, r.position) if r.signature[:1] == b"\x02" else None
        if r.position == 1:
            genesis_correlation = r.correlation
            pinned = p.get("logKey") if r.type == "LedgerInitialized" else None
            if pinned is not None:
                try:
                    pinned_key = VerifierKey(pinned)
                except Refused as e:
                    raise Refused(f"{r.where()}: the log key it pins is not a verifier key: {e}") from None
                if (pinned_key.name, pinned_key.key_id, pinned_key.public_key) != (key.name, key.key_id, key.public_key):
                    raise Refused(f"the ledger's first event pins the log key {pinned_key}, but the checkpoint was checked with "
                                  f"{key}: that key is not this ledger's")
                report["checkpoint"]["pinnedByGenesis"] = True
        if r.type == "LeadDefinitionSignedOff":
            # The signer's roles at the sign-off's business time, as the ledger knew them when it was recorded (the
            # decider's view: a role change recorded later, even backdated, did not decide it).
            signer_status[r.position] = state.status(r.actor, r.occurred_at)
        if r.stream == "ledger":
            state.evolve(r, p)
    report.update(signed=signed, unsigned=unsigned, keys=keys_used)
    say(f"ok  {signed} signatures verify, by {len(keys_used)} registered keys"
        + (f"; {unsigned} events unsigned (recorded before the ledger required signatures)" if unsigned else ""))

    # 4. Complete streams.
    question = bundle.get("question")
    if not isinstance(question, dict) or question.get("kind") != "who-approved":
        raise Refused("the bundle's question is not a who-approved question")
    definition = question.get("definition")
    if not isinstance(definition, str) or not definition:
        raise Refused("the bundle's question names no definition")
    def_stream = "definition/" + definition
    complete = bundle.get("completeStreams")
    if not isinstance(complete, list):
        raise Refused("the bundle lists no complete streams")
    through = {}
    for c in complete:
        if not isinstance(c, dict) or not isinstance(c.get("stream"), str):
            raise Refused("a completeStreams entry names no stream")
        s = c["stream"]
        what = f"completeStreams {s}"
        p_through = _int_field(c, "throughPosition", what)
        last = _int_field(c, "lastVersion", what)
        if p_through > cp.size:
            raise Refused(f"{what}: throughPosition {p_through} is past the checkpoint's {cp.size} events")
        versions = [r.version for r in records if r.stream == s]
        if versions != list(range(1, last + 1)):
            missing = sorted(set(range(1, last + 1)) - set(versions))
            raise Refused(f"stream {s} is said complete through version {last}, but the bundle holds versions "
                          f"{_ranges(versions)}" + (f" (missing {_ranges(missing)})" if missing else ""))
        if any(r.position > p_through for r in records if r.stream == s):
            raise Refused(f"{what}: an event of the stream lies past throughPosition {p_through}")
        through[s] = p_through
    for s in ("ledger", def_stream):
        if s not in through:
            raise Refused(f"the bundle does not give stream {s} complete: the answer cannot be recomputed")
        if through[s] != cp.size:
            raise Refused(f"stream {s} is complete through position {through[s]}, not through the checkpoint ({cp.size})")
    report["completeStreams"] = through
    say(f"ok  streams complete through position {cp.size}: "
        + ", ".join(f"{s} v1..v{len([r for r in records if r.stream == s])}" for s in sorted(through)))

    # 5. The answer, recomputed; the signers' roles; absence claims.
    claimed = bundle.get("answer")
    if not isinstance(claimed, dict):
        raise Refused("the bundle has no answer")
    at = parse_time(question.get("at")) if question.get("at") is not None else None
    claimed_at = parse_time(claimed.get("at")) if isinstance(claimed.get("at"), str) else None
    if claimed_at is None:
        raise Refused("answer.at is not a time")
    if at is not None and at != claimed_at:
        raise Refused(f"the question asks about {format_time(at)}, but the answer is about {format_time(claimed_at)}")
    def_events = [(r, payloads[r.position]) for r in records if r.stream == def_stream]
    computed = recompute_answer(definition, claimed_at, def_events, state.max_backdate_hours)
    compare_answer(claimed, computed)
    report["answer"] = _answer_view(computed)
    if computed["version"] is None:
        say(f"ok  answer recomputed: no version of {definition} was active at {format_time(claimed_at)}")
    else:
        by = ", ".join(f"{s['actor']} ({format_time(s['at'])}, position {s['position']})" for s in computed["signOffs"])
        say(f"ok  answer recomputed: {definition} v{computed['version']} active at {format_time(claimed_at)} "
            f"(from {format_time(computed['activeFrom'])}, activated by {computed['activatedBy']} at position "
            f"{computed['activationPosition']}), proposed by {computed['author']}, signed off by {by or 'nobody'}"
            + (f", override: {computed['override'].get('reason')}" if computed["override"] else "")
            + (f"; rejected by {', '.join(s['actor'] for s in computed['rejections'])}" if computed["rejections"] else ""))
    for s in computed["signOffs"]:
        st = signer_status.get(s["position"])
        if st is None or not st[1] or "sales" not in st[0]:
            raise Refused(f"sign-off at position {s['position']}: {s['actor']!r} did not hold the sales role at "
                          f"{format_time(s['at'])} (roles then: {', '.join(st[0]) if st else 'not registered'})")
    if computed["signOffs"]:
        say(f"ok  every signer held the sales role at the time of their sign-off")
    claims = bundle.get("absence", [])
    if not isinstance(claims, list):
        raise Refused("the bundle's absence claims are not a list")
    for c in claims:
        check_absence(c, records, payloads, through, definition)
        say(f"ok  absence: {c.get('claim')} (positions {c['fromPosition']}..{c['throughPosition']} of {c['stream']})")
    report["absence"] = claims
    report["ok"] = True
    return report


def check_absence(c, records, payloads, through, definition):
    """An absence claim: `{"claim": text, "kind": "no-rejection", "stream", "version", "fromPosition",
    "throughPosition", "until"?}` holds when the stream is complete over the range and no rejection of the version
    (with business time at or before `until`, when given) lies in it."""
    if not isinstance(c, dict):
        raise Refused("an absence claim is not an object")
    what = f"absence claim {c.get('claim')!r}"
    s = c.get("stream")
    lo, hi = _int_field(c, "fromPosition", what, minimum=1), _int_field(c, "throughPosition", what)
    if s not in through or hi > through[s] or lo > hi + 1:
        raise Refused(f"{what}: stream {s} is not given complete over positions {lo}..{hi}")
    kind = c.get("kind")
    if kind != "no-rejection" or s != "definition/" + definition:
        raise Refused(f"{what}: this verifier cannot check a claim of kind {kind!r} on {s}")
    version = _int_field(c, "version", what, minimum=1)
    until = parse_time(c.get("until")) if c.get("until") is not None else None
    for r in records:
        if r.stream == s and lo <= r.position <= hi and r.type == "LeadDefinitionRejected" \
                and payloads[r.position].get("version") == version and (until is None or r.occurred_at <= until):
            raise Refused(f"{what} is false: {r.where()} rejects version {version}")


def _ranges(ns):
    ns = sorted(ns)
    out, i = [], 0
    while i < len(ns):
        j = i
        while j + 1 < len(ns) and ns[j + 1] == ns[j] + 1:
            j += 1
        out.append(str(ns[i]) if i == j else f"{ns[i]}..{ns[j]}")
        i = j + 1
    return ", ".join(out) or "none"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Checks an alignment-ledger proof bundle offline.",
                                 epilog="Exit status: 0 when everything holds, 1 when anything does not.")
    ap.add_argument("bundle", help="the bundle file (align audit who-approved DEF --proof FILE)")
    ap.add_argument("--vkey", required=True,
                    help="the ledger's verifier key you trust (name+keyid+base64, from `align checkpoint --vkey`), "
                         "obtained apart from the bundle")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the output quietly
    lines = []
    say = lines.append if args.json else print
    try:
        try:
            with open(args.bundle, "rb") as f:
                bundle = json.loads(f.read().decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise Refused(f"cannot read the bundle {args.bundle}: {e}") from None
        report = verify_bundle(bundle, args.vkey, say)
    except Refused as e:
        if args.json:
            print(json.dumps({"ok": False, "checked": lines, "failure": str(e)}, indent=2, sort_keys=True))
        else:
            print(f"REFUSED  {e}", file=sys.stderr)
        return 1
    if args.json:
        report["checked"] = lines
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print("the bundle holds: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
