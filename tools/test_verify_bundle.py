#!/usr/bin/env python3
"""Tests of tools/verify_bundle.py: RFC 9162 proofs against transparency-dev/merkle's probes and an adversarial suite
in the style of Trillian's log_verifier_test.go, C2SP signed notes against Go's sumdb/note vectors, and whole bundles
of a small ledger built here from docs/FORMAT.md (records, chain, signatures, tree, checkpoint), then tampered with.

    python3 tools/test_verify_bundle.py        (or: python3 -m unittest discover -s tools -p 'test_verify_bundle.py')

Standard library and `cryptography` only.
"""
import base64
import copy
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_bundle as vb  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def b64d(s):
    return base64.b64decode(s) if s else b""


def flip(b, i=0, bit=0):
    b = bytearray(b)
    b[i] ^= 1 << bit
    return bytes(b)


def raw_public(priv):
    return priv.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# MARK: RFC 9162

class MerkleProbes(unittest.TestCase):
    """transparency-dev/merkle's testdata probes (tools/fixtures/transparency-dev-merkle-probes.json)."""

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(HERE, "fixtures", "transparency-dev-merkle-probes.json")) as f:
            cls.probes = json.load(f)

    def test_inclusion_probes(self):
        self.assertGreater(len(self.probes["inclusion"]), 90)
        for p in self.probes["inclusion"]:
            with self.subTest(p["file"]):
                args = (p["leafIdx"], p["treeSize"], b64d(p["leafHash"]), [b64d(h) for h in p["proof"] or []], b64d(p["root"]))
                if p["wantErr"]:
                    self.assertRaises(vb.Refused, vb.verify_inclusion, *args)
                else:
                    vb.verify_inclusion(*args)

    def test_consistency_probes(self):
        self.assertGreater(len(self.probes["consistency"]), 90)
        for p in self.probes["consistency"]:
            with self.subTest(p["file"]):
                args = (p["size1"], p["size2"], [b64d(h) for h in p["proof"] or []], b64d(p["root1"]), b64d(p["root2"]))
                if p["wantErr"]:
                    self.assertRaises(vb.Refused, vb.verify_consistency, *args)
                else:
                    vb.verify_consistency(*args)


# Trillian / transparency-dev testonly: LeafInputs() and RootHashes() (RFC 6962 reference tree).
LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f"]]
ROOTS = [vb.EMPTY_ROOT] + [bytes.fromhex(h) for h in [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]]


class MerkleReference(unittest.TestCase):
    def test_roots_match_the_reference_vectors(self):
        for n in range(0, 9):
            self.assertEqual(vb.tree_root(LEAVES[:n]), ROOTS[n], f"size {n}")

    def test_inclusion_proof_of_the_rfc_example(self):
        # transparency-dev testdata/inclusion/1/happy-path.json: leaf 0 of 8.
        proof = vb.inclusion_proof(0, LEAVES)
        self.assertEqual([h.hex() for h in proof], [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"])


def leaves(n):
    return [b"leaf %d" % i for i in range(n)]


class InclusionAdversarial(unittest.TestCase):
    """Every honest proof verifies; every mangled one (Trillian's log_verifier_test.go corruptions) is refused."""

    SIZES = list(range(1, 34)) + [64, 65, 127]

    def corruptions(self, index, size, proof):
        yield "index+1", index + 1, size, proof
        yield "index-1", index - 1, size, proof
        yield "index^1", index ^ 1, size, proof
        # A size one off, with the root a checkpoint of that size carries. (Against the same root it is not always
        # detectable: the path can be the same. That is why the size must come from the signed checkpoint.)
        yield "size+1", index, size + 1, proof, vb.tree_root(leaves(size + 1))
        if size > 1:
            yield "size-1", index, size - 1, proof, vb.tree_root(leaves(size - 1))
        yield "size*2", index, size * 2, proof
        yield "size/2", index, size // 2, proof
        yield "size 0", index, 0, proof
        yield "extended", index, size, proof + [bytes(32)]
        yield "extended with the root", index, size, proof + [None]
        yield "prepended", index, size, [bytes(32)] + proof
        if proof:
            yield "truncated", index, size, proof[:-1]
            yield "first removed", index, size, proof[1:]
            for i in range(len(proof)):
                yield f"hash {i} replaced", index, size, proof[:i] + [flip(proof[i], i % 32, i % 8)] + proof[i + 1:]
            if len(proof) > 1:
                yield "swapped", index, size, [proof[1], proof[0]] + proof[2:]

    def test_honest_and_mangled_proofs(self):
        for size in self.SIZES:
            data = leaves(size)
            root = vb.tree_root(data)
            for index in range(size):
                lh = vb.leaf_hash(data[index])
                proof = vb.inclusion_proof(index, data)
                vb.verify_inclusion(index, size, lh, proof, root)
                for name, i, s, p, *r in self.corruptions(index, size, proof):
                    p = [root if h is None else h for h in p]
                    if (i, s, p) == (index, size, proof) or i < 0:
                        continue
                    with self.subTest(size=size, index=index, corruption=name):
                        self.assertRaises(vb.Refused, vb.verify_inclusion, i, s, lh, p, r[0] if r else root)
                with self.subTest(size=size, index=index, corruption="wrong leaf"):
                    self.assertRaises(vb.Refused, vb.verify_inclusion, index, size, flip(lh), proof, root)
                with self.subTest(size=size, index=index, corruption="wrong root"):
                    self.assertRaises(vb.Refused, vb.verify_inclusion, index, size, lh, proof, flip(root, 31, 7))
                with self.subTest(size=size, index=index, corruption="leaf data as hash"):
                    self.assertRaises(vb.Refused, vb.verify_inclusion, index, size, data[index], proof, root)

    def test_empty_tree(self):
        self.assertRaises(vb.Refused, vb.verify_inclusion, 0, 0, vb.leaf_hash(b""), [], vb.EMPTY_ROOT)
        self.assertRaises(vb.Refused, vb.verify_inclusion, 0, 0, vb.EMPTY_ROOT, [], vb.EMPTY_ROOT)
        self.assertRaises(vb.Refused, vb.verify_inclusion, 1, 0, vb.leaf_hash(b""), [], vb.EMPTY_ROOT)

    def test_single_leaf(self):
        lh = vb.leaf_hash(b"x")
        vb.verify_inclusion(0, 1, lh, [], lh)
        self.assertRaises(vb.Refused, vb.verify_inclusion, 0, 1, lh, [lh], lh)
        self.assertRaises(vb.Refused, vb.verify_inclusion, 1, 1, lh, [], lh)
        self.assertRaises(vb.Refused, vb.verify_inclusion, 0, 2, lh, [], lh)

    def test_malformed_inputs(self):
        data = leaves(5)
        root, proof = vb.tree_root(data), vb.inclusion_proof(2, data)
        lh = vb.leaf_hash(data[2])
        self.assertRaises(vb.Refused, vb.verify_inclusion, 2, 5, lh, proof[:-1] + [proof[-1][:31]], root)
        self.assertRaises(vb.Refused, vb.verify_inclusion, 2, 5, lh, proof, root + b"\x00")
        self.assertRaises(vb.Refused, vb.verify_inclusion, -1, 5, lh, proof, root)
        self.assertRaises(vb.Refused, vb.verify_inclusion, 2, -5, lh, proof, root)
        self.assertRaises(vb.Refused, vb.verify_inclusion, 2, 1 << 64, lh, proof, root)


class ConsistencyAdversarial(unittest.TestCase):
    def test_honest_and_mangled_proofs(self):
        for size2 in list(range(1, 26)) + [64, 65]:
            data = leaves(size2)
            root2 = vb.tree_root(data)
            for size1 in range(1, size2 + 1):
                root1 = vb.tree_root(data[:size1])
                proof = vb.consistency_proof(size1, data)
                vb.verify_consistency(size1, size2, proof, root1, root2)
                bad = [
                    ("swapped sizes", size2, size1, proof, root2, root1),
                    ("swapped roots", size1, size2, proof, root2, root1),
                    ("size1+1", size1 + 1, size2, proof, root1, root2),
                    ("size1-1", size1 - 1, size2, proof, root1, root2),
                    # size2 one off, with the root a checkpoint of that size carries (see InclusionAdversarial).
                    ("size2+1", size1, size2 + 1, proof, root1, vb.tree_root(leaves(size2 + 1))),
                    ("size2-1", size1, size2 - 1, proof, root1, vb.tree_root(leaves(size2 - 1))),
                    ("size2/2", size1, size2 // 2, proof, root1, root2),
                    ("size2*2", size1, size2 * 2, proof, root1, root2),
                    ("size1 0", 0, size2, proof, root1, root2),
                    ("extended", size1, size2, proof + [bytes(32)], root1, root2),
                    ("prepended", size1, size2, [root1] + proof, root1, root2),
                    ("wrong root1", size1, size2, proof, flip(root1), root2),
                    ("wrong root2", size1, size2, proof, root1, flip(root2)),
                ]
                if proof:
                    bad.append(("truncated", size1, size2, proof[:-1], root1, root2))
                    bad.append(("first removed", size1, size2, proof[1:], root1, root2))
                    bad.append(("empty", size1, size2, [], root1, root2))
                    for i in range(len(proof)):
                        bad.append((f"hash {i} replaced", size1, size2, proof[:i] + [flip(proof[i], 3)] + proof[i + 1:], root1, root2))
                for name, s1, s2, p, r1, r2 in bad:
                    if (s1, s2, p, r1, r2) == (size1, size2, proof, root1, root2):
                        continue
                    if name == "swapped roots" and root1 == root2:
                        continue
                    if s1 == s2 and not p and r1 == r2:
                        continue
                    with self.subTest(size1=size1, size2=size2, corruption=name):
                        self.assertRaises(vb.Refused, vb.verify_consistency, s1, s2, p, r1, r2)

    def test_empty_and_equal_trees(self):
        r = vb.tree_root(leaves(3))
        self.assertRaises(vb.Refused, vb.verify_consistency, 0, 0, [], vb.EMPTY_ROOT, vb.EMPTY_ROOT)
        self.assertRaises(vb.Refused, vb.verify_consistency, 0, 3, [], vb.EMPTY_ROOT, r)
        self.assertRaises(vb.Refused, vb.verify_consistency, 0, 3, [r], vb.EMPTY_ROOT, r)
        vb.verify_consistency(3, 3, [], r, r)
        self.assertRaises(vb.Refused, vb.verify_consistency, 3, 3, [r], r, r)
        self.assertRaises(vb.Refused, vb.verify_consistency, 3, 3, [], r, flip(r))
        self.assertRaises(vb.Refused, vb.verify_consistency, 4, 3, [], r, r)


# MARK: C2SP signed notes (Go's golang.org/x/mod/sumdb/note tests)

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
NEUMANN_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
ENOCH_SIG = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"


def note_vkey(name, priv):
    pub = raw_public(priv)
    return f"{name}+{vb.note_key_id(name, pub):08x}+" + base64.b64encode(b"\x01" + pub).decode()


def note_signature_line(name, priv, text, key_id=None):
    kid = vb.note_key_id(name, raw_public(priv)) if key_id is None else key_id
    sig = priv.sign(text.encode())
    return f"— {name} " + base64.b64encode(struct.pack(">I", kid) + sig).decode() + "\n"


def sign_checkpoint(origin, size, root, priv, name=None, extra_lines=()):
    body = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n" + "".join(l + "\n" for l in extra_lines)
    return body + "\n" + note_signature_line(name or origin, priv, body)


class SignedNotes(unittest.TestCase):
    def test_go_vectors(self):
        peter = vb.VerifierKey(PETER_VKEY)
        text, ignored = vb.open_note(NEUMANN_TEXT + "\n" + PETER_SIG + ENOCH_SIG, peter)
        self.assertEqual(text, NEUMANN_TEXT)
        self.assertEqual(ignored, ["EnochRoot+af0cfe78"])  # an unknown key's signature is ignored
        enoch = vb.VerifierKey(ENOCH_VKEY)
        self.assertEqual(vb.open_note(NEUMANN_TEXT + "\n" + PETER_SIG + ENOCH_SIG, enoch)[1], ["PeterNeumann+c74f20a3"])
        # Only an unknown key's signature: refused.
        self.assertRaises(vb.Refused, vb.open_note, NEUMANN_TEXT + "\n" + ENOCH_SIG, peter)

    def test_known_key_with_a_bad_signature_is_refused(self):
        peter = vb.VerifierKey(PETER_VKEY)
        bad = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
        with self.assertRaisesRegex(vb.Refused, "does not verify"):
            vb.open_note(NEUMANN_TEXT + "\n" + bad, peter)
        # ... even beside a good signature by another key.
        with self.assertRaisesRegex(vb.Refused, "does not verify"):
            vb.open_note(NEUMANN_TEXT + "\n" + ENOCH_SIG + bad, peter)
        # ... and when the text changed.
        with self.assertRaisesRegex(vb.Refused, "does not verify"):
            vb.open_note(NEUMANN_TEXT.replace("answer", "Answer") + "\n" + PETER_SIG, peter)

    def test_wrong_key_id_is_refused(self):
        peter = vb.VerifierKey(PETER_VKEY)
        sig = base64.b64decode(PETER_SIG.split(" ")[2])
        wrong = "— PeterNeumann " + base64.b64encode(struct.pack(">I", 0xc74f20a4) + sig[4:]).decode() + "\n"
        with self.assertRaisesRegex(vb.Refused, "no signature by the trusted key PeterNeumann\\+c74f20a3.*key id c74f20a4"):
            vb.open_note(NEUMANN_TEXT + "\n" + wrong, peter)
        # A verifier key whose id is not its key's.
        with self.assertRaises(vb.Refused):
            vb.VerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")

    def test_malformed_notes(self):
        peter = vb.VerifierKey(PETER_VKEY)
        bad = [
            NEUMANN_TEXT,
            NEUMANN_TEXT + "\n",
            NEUMANN_TEXT + "\n" + PETER_SIG[:-1],  # missing final newline
            "\x01" + NEUMANN_TEXT + "\n" + PETER_SIG,
            NEUMANN_TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
            NEUMANN_TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
            NEUMANN_TEXT + "\n" + PETER_SIG.replace("—", "--"),
            NEUMANN_TEXT + "\n" + PETER_SIG * 101,
            NEUMANN_TEXT.rstrip("\n") + "\n" + PETER_SIG,  # no blank line
        ]
        for msg in bad:
            with self.subTest(msg=msg[-40:]):
                self.assertRaises(vb.Refused, vb.open_note, msg, peter)
        self.assertRaises(vb.Refused, vb.open_note, b"\xff" + (NEUMANN_TEXT + "\n" + PETER_SIG).encode(), peter)

    def test_verifier_key_manglings(self):
        vb.VerifierKey(PETER_VKEY)
        for i in range(len(PETER_VKEY)):
            for cut in (PETER_VKEY[:i], PETER_VKEY[i + 1:]):
                with self.subTest(key=cut):
                    self.assertRaises(vb.Refused, vb.VerifierKey, cut)
            changed = PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1:]
            if changed != PETER_VKEY:
                with self.subTest(key=changed):
                    self.assertRaises(vb.Refused, vb.VerifierKey, changed)
        self.assertRaises(vb.Refused, vb.VerifierKey, "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


class Checkpoints(unittest.TestCase):
    def setUp(self):
        self.priv = Ed25519PrivateKey.generate()
        self.key = vb.VerifierKey(note_vkey("example.com/log", self.priv))
        self.root = vb.tree_root(leaves(5))

    def test_round_trip_and_extensions(self):
        cp, ignored = vb.open_checkpoint(sign_checkpoint("example.com/log", 5, self.root, self.priv), self.key)
        self.assertEqual((cp.origin, cp.size, cp.root, cp.extensions, ignored), ("example.com/log", 5, self.root, [], []))
        cp, _ = vb.open_checkpoint(sign_checkpoint("example.com/log", 5, self.root, self.priv, extra_lines=["x y"]), self.key)
        self.assertEqual(cp.extensions, ["x y"])
        cp, _ = vb.open_checkpoint(sign_checkpoint("example.com/log", 0, vb.EMPTY_ROOT, self.priv), self.key)
        self.assertEqual(cp.size, 0)

    def test_bad_bodies_are_refused_even_when_signed(self):
        r64 = base64.b64encode(self.root).decode()
        for body in [f"example.com/log\n05\n{r64}\n", f"example.com/log\n+5\n{r64}\n", f"example.com/log\n-5\n{r64}\n",
                     f"example.com/log\n 5\n{r64}\n", f"example.com/log\n0x5\n{r64}\n", f"example.com/log\n5.0\n{r64}\n",
                     f"example.com/log\n{1 << 64}\n{r64}\n", f"example.com/log\n\n{r64}\n", f"\n5\n{r64}\n",
                     f"example.com/log\n5\n{base64.b64encode(self.root[:31]).decode()}\n",
                     f"example.com/log\n5\n{r64.rstrip('=')}\n", f"example.com/log\n5\n", f"example.com/log\n5\n{r64}\n\n"]:
            note = body + "\n" + note_signature_line("example.com/log", self.priv, body)
            with self.subTest(body=body):
                self.assertRaises(vb.Refused, vb.open_checkpoint, note, self.key)

    def test_another_logs_key_is_refused(self):
        other = Ed25519PrivateKey.generate()
        note = sign_checkpoint("example.com/log", 5, self.root, other)
        self.assertRaises(vb.Refused, vb.open_checkpoint, note, self.key)
        # Both signatures present: the trusted one decides.
        good = sign_checkpoint("example.com/log", 5, self.root, self.priv)
        body = good.split("\n\n")[0] + "\n"
        both = good + note_signature_line("witness.example", other, body)
        self.assertEqual(vb.open_checkpoint(both, self.key)[1], ["witness.example+%08x" % vb.note_key_id("witness.example", raw_public(other))])


# MARK: Bundles of a small ledger built from docs/FORMAT.md

T0 = vb.parse_time("2026-03-02T09:00:00Z")
HOUR = 3600 * 1_000_000


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64url(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class Ledger:
    """Appends records exactly as docs/FORMAT.md lays them out, signed as the ledger signs them."""

    def __init__(self):
        self.id = uuid.uuid4()
        self.records, self.versions, self.keys = [], {}, {}
        self.log_key = Ed25519PrivateKey.generate()
        self.origin = f"align/{self.id}"
        self.genesis = uuid.uuid4().bytes

    def key(self, actor):
        if actor not in self.keys:
            self.keys[actor] = Ed25519PrivateKey.generate()
        return self.keys[actor]

    def key_text(self, actor):
        return "ed25519:" + b64url(raw_public(self.key(actor)))

    def key_id(self, actor):
        return vb.key_id(raw_public(self.key(actor)))

    def proof(self, actor):
        raw = raw_public(self.key(actor))
        return b64url(self.key(actor).sign(b"align-key-possession/v1\x00" + actor.encode() + b"\x00" + raw))

    @property
    def head(self):
        return self.records[-1][-32:] if self.records else bytes(32)

    def append(self, stream, type_, actor, payload, at=None, signer=None, imported=False, correlation=None,
               causation=None, unsigned=False, recorded=None, command=None, stored_line=None):
        """`command`: the event is recorded from a command its actor signed elsewhere (an apply line without "as" and
        "at", which are the event's; "key" is the nonce), with the signature field of scheme 2; `stored_line`: the line
        kept in the field instead of the one signed (a forgery)."""
        position = len(self.records) + 1
        version = self.versions.get(stream, 0) + 1
        at = T0 + position * HOUR if at is None else at
        recorded = at if recorded is None else recorded
        payload = canonical(payload)
        signer = signer or actor
        eid = uuid.uuid4().bytes
        previous = self.head

        def build(sig):
            flags = (1 if correlation else 0) | (2 if causation else 0)
            s, t, a = stream.encode(), type_.encode(), actor.encode()
            head = struct.pack("<BBHHHHHIQqq", 1, flags, 1, len(s), len(t), len(a), len(sig), len(payload), version,
                               recorded, at) + eid + (correlation or bytes(16)) + (causation or bytes(16))
            body = head + s + t + a + sig + payload
            return body + vb.sha256(previous, struct.pack(">Q", position), body)
        if command is not None:
            line = canonical(dict(command, **{"as": actor, "at": vb.format_time(at)}))
            eid = vb.apply_event_id(self.id.bytes, command["key"])
            kid = bytes.fromhex(self.key_id(signer))
            signature = self.key(signer).sign(b"align-command/v1\x00" + self.id.bytes + kid + struct.pack(">I", len(line)) + line)
            record = build(bytes([2, 0]) + kid + signature + (line if stored_line is None else canonical(stored_line)))
        elif unsigned:
            record = build(b"")
        else:
            kid = bytes.fromhex(self.key_id(signer))
            draft = vb.Record(position, build(bytes(74)))
            message = draft.signed_message(self.id.bytes, previous, kid, imported)
            record = build(bytes([1, 1 if imported else 0]) + kid + self.key(signer).sign(message))
        self.records.append(record)
        self.versions[stream] = version
        return position

    def checkpoint(self, size=None, key=None):
        size = len(self.records) if size is None else size
        return sign_checkpoint(self.origin, size, vb.tree_root(self.records[:size]), key or self.log_key)

    @property
    def vkey(self):
        return note_vkey(self.origin, self.log_key)

    def bundle(self, definition, answer, at=None, size=None, absence=()):
        size = len(self.records) if size is None else size
        streams = ("ledger", "definition/" + definition)
        events, last = [], {}
        for i, raw in enumerate(self.records[:size]):
            r = vb.Record(i + 1, raw)
            if r.stream in streams:
                events.append({"position": i + 1, "record": base64.b64encode(raw).decode(),
                               "previousHash": (self.records[i - 1][-32:] if i else bytes(32)).hex(),
                               "inclusion": [h.hex() for h in vb.inclusion_proof(i, self.records[:size])]})
                last[r.stream] = r.version
        return {"format": vb.BUNDLE_FORMAT, "ledger": str(self.id),
                "question": {"kind": "who-approved", "definition": definition, "at": at},
                "answer": answer, "checkpoint": self.checkpoint(size), "verifierKey": self.vkey, "events": events,
                "completeStreams": [{"stream": s, "throughPosition": size, "lastVersion": last[s]} for s in streams],
                "absence": list(absence)}


def scripted_ledger(pinned_log_key=None):
    """rita (revops) creates the ledger (pinning its log key); sam and lee (sales) sign off mql v1, which maria
    (marketing) proposed and activates; lee rejects v2; events of another stream lie between."""
    L = Ledger()
    g = L.genesis
    L.append("ledger", "LedgerInitialized", "rita", {"admin": "rita", "name": "Acme", "key": L.key_text("rita"),
                                                     "proof": L.proof("rita"), "logKey": pinned_log_key or L.vkey},
             correlation=g)                                                                                       # 1
    L.append("ledger", "ActorRegistered", "rita", {"actor": "rita", "name": "Rita", "roles": ["revops"]}, correlation=g)  # 2
    L.append("ledger", "SignaturesRequired", "rita", {"scheme": "ed25519"}, correlation=g)                       # 3
    for actor, roles in (("sam", ["sales"]), ("maria", ["marketing"]), ("lee", ["sales"])):
        L.append("ledger", "ActorRegistered", "rita", {"actor": actor, "name": actor.title(), "roles": roles}, signer="rita")
        L.append("ledger", "ActorKeyRegistered", "rita", {"actor": actor, "keyID": L.key_id(actor),
                                                          "publicKey": L.key_text(actor), "proof": L.proof(actor)})
    # 4..9
    crit = [{"field": "employees", "op": ">=", "values": ["200"]}]
    L.append("definition/mql", "LeadDefinitionProposed", "maria", {"definition": "mql", "version": 1, "title": "MQL v1",
                                                                   "fit": crit, "engagement": []})               # 10
    L.append("campaign/q2", "CampaignDrafted", "maria", {"campaign": "q2", "revision": 1, "name": "Q2", "channels": []})  # 11
    L.append("definition/mql", "LeadDefinitionSignedOff", "sam", {"definition": "mql", "version": 1, "comment": "ok"})  # 12
    L.append("definition/mql", "LeadDefinitionSignedOff", "lee", {"definition": "mql", "version": 1})         # 13
    L.append("definition/mql", "LeadDefinitionActivated", "maria", {"definition": "mql", "version": 1, "signOffs": 2,
                                                                    "quorum": 1})                                # 14
    L.append("definition/mql", "LeadDefinitionProposed", "maria", {"definition": "mql", "version": 2, "title": "MQL v2",
                                                                   "fit": crit, "engagement": []})               # 15
    L.append("definition/mql", "LeadDefinitionRejected", "lee", {"definition": "mql", "version": 2, "reason": "too broad"})  # 16
    L.append("campaign/q2", "CampaignReviewRequested", "maria", {"campaign": "q2", "revision": 1})               # 17
    return L


def t(position):
    return vb.format_time(T0 + position * HOUR)


ANSWER_AT = t(20)
ANSWER = {
    "activationBackdated": False, "activationPosition": 14, "activationRecordedAt": t(14), "activeFrom": t(14),
    "at": ANSWER_AT, "definition": "mql", "head": "17:" + "00" * 32, "maxBackdateHours": 72,
    "queryMicroseconds": 12.5,
    "signOffs": [
        {"actor": "sam", "at": t(12), "backdated": False, "comment": "ok", "position": 12, "recordedAt": t(12)},
        {"actor": "lee", "at": t(13), "backdated": False, "position": 13, "recordedAt": t(13)},
    ],
    "title": "MQL v1", "version": 1,
}


class SignedCommands(unittest.TestCase):
    """Sam's sign-off recorded from a command he signed elsewhere (docs/FORMAT.md, "Signed commands")."""

    def ledger(self, **signoff):
        L = Ledger()
        g = L.genesis
        L.append("ledger", "LedgerInitialized", "rita", {"admin": "rita", "name": "Acme", "key": L.key_text("rita"),
                                                         "proof": L.proof("rita"), "logKey": L.vkey}, correlation=g)
        L.append("ledger", "ActorRegistered", "rita", {"actor": "rita", "name": "Rita", "roles": ["revops"]}, correlation=g)
        L.append("ledger", "SignaturesRequired", "rita", {"scheme": "ed25519"}, correlation=g)
        for actor, roles in (("sam", ["sales"]), ("maria", ["marketing"])):
            L.append("ledger", "ActorRegistered", "rita", {"actor": actor, "name": actor.title(), "roles": roles})
            L.append("ledger", "ActorKeyRegistered", "rita", {"actor": actor, "keyID": L.key_id(actor),
                                                              "publicKey": L.key_text(actor), "proof": L.proof(actor)})
        crit = [{"field": "employees", "op": ">=", "values": ["200"]}]
        L.append("definition/mql", "LeadDefinitionProposed", "maria", {"definition": "mql", "version": 1, "title": "MQL v1",
                                                                       "fit": crit, "engagement": []})           # 8
        command = {"command": "definition.sign-off", "key": "n-1", "args": {"id": "mql", "version": 1, "comment": "ok"}}
        L.append("definition/mql", "LeadDefinitionSignedOff", "sam", {"definition": "mql", "version": 1, "comment": "ok"},
                 command=command, **signoff)                                                                     # 9
        L.append("definition/mql", "LeadDefinitionActivated", "maria", {"definition": "mql", "version": 1, "signOffs": 1,
                                                                        "quorum": 1})                            # 10
        answer = {"activationBackdated": False, "activationPosition": 10, "activationRecordedAt": t(10), "activeFrom": t(10),
                  "at": t(12), "definition": "mql", "head": "10:" + "00" * 32, "maxBackdateHours": 72,
                  "signOffs": [{"actor": "sam", "at": t(9), "backdated": False, "comment": "ok", "position": 9, "recordedAt": t(9)}],
                  "title": "MQL v1", "version": 1}
        return L, L.bundle("mql", answer, at=t(12))

    def test_a_command_signed_sign_off_holds(self):
        L, b = self.ledger()
        report = vb.verify_bundle(b, L.vkey)
        self.assertTrue(report["ok"])
        self.assertEqual(report["signed"], 10)

    def test_a_command_that_does_not_say_the_event_is_refused(self):
        # A line about version 2 kept with a sign-off of version 1 (its signature then does not check either, but the
        # binding is named first); another command; another actor; a signature over another line.
        for stored, pattern in (({"command": "definition.sign-off", "key": "n-1", "args": {"id": "mql", "version": 2}, "as": "sam",
                                  "at": t(9)}, "version 2"),
                                ({"command": "definition.reject", "key": "n-1", "args": {"id": "mql", "version": 1}, "as": "sam",
                                  "at": t(9)}, "does not record a LeadDefinitionSignedOff"),
                                ({"command": "definition.sign-off", "key": "n-1", "args": {"id": "mql", "version": 1}, "as": "maria",
                                  "at": t(9)}, "signed as 'maria'"),
                                ({"command": "definition.sign-off", "key": "n-1", "args": {"id": "mql", "version": 1}, "as": "sam",
                                  "at": t(9)}, "does not verify")):
            L, b = self.ledger(stored_line=stored)
            with self.assertRaises(vb.Refused) as ctx:
                vb.verify_bundle(b, L.vkey)
            self.assertRegex(str(ctx.exception), pattern)

    def test_the_nonce_names_the_first_event(self):
        self.assertEqual(vb.apply_event_id(bytes(16), "k")[6] >> 4, 8)
        self.assertNotEqual(vb.apply_event_id(bytes(16), "k"), vb.apply_event_id(bytes(16), "l"))


class Bundles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.L = scripted_ledger()
        cls.good = cls.L.bundle("mql", copy.deepcopy(ANSWER), at=ANSWER_AT, absence=[
            {"claim": "no rejection of mql version 1 at or before " + ANSWER_AT, "kind": "no-rejection",
             "stream": "definition/mql", "version": 1, "fromPosition": 1, "throughPosition": 17, "until": ANSWER_AT}])

    def verify(self, bundle, vkey=None):
        return vb.verify_bundle(bundle, vkey or self.L.vkey)

    def refused(self, bundle, pattern=None, vkey=None):
        with self.assertRaises(vb.Refused) as ctx:
            self.verify(bundle, vkey)
        if pattern:
            self.assertRegex(str(ctx.exception), pattern)
        return str(ctx.exception)

    def tampered(self, change):
        b = copy.deepcopy(self.good)
        change(b)
        return b

    def event(self, b, position):
        return next(e for e in b["events"] if e["position"] == position)

    def test_the_honest_bundle_holds(self):
        lines = []
        report = vb.verify_bundle(self.good, self.L.vkey, lines.append)
        self.assertTrue(report["ok"])
        self.assertEqual(report["signed"], 15)
        self.assertEqual(report["answer"]["version"], 1)
        self.assertEqual(report["answer"]["author"], "maria")
        self.assertEqual(report["answer"]["activatedBy"], "maria")
        self.assertEqual([s["actor"] for s in report["answer"]["signOffs"]], ["sam", "lee"])
        self.assertEqual(len(lines), 7, lines)

    def test_answers_at_other_times(self):
        # Before the activation: nothing active.
        a = {"at": t(13), "definition": "mql", "head": "17:x", "maxBackdateHours": 72, "signOffs": []}
        self.verify(self.L.bundle("mql", a, at=t(13)))
        a2 = copy.deepcopy(ANSWER)
        a2["version"] = None
        self.refused(self.L.bundle("mql", a2, at=ANSWER_AT), "answer.version")

    def test_richer_answer_fields_are_checked_when_present(self):
        a = copy.deepcopy(ANSWER)
        a.update(author="maria", activatedBy="maria", proposedAt=t(10), rejections=[])
        self.verify(self.L.bundle("mql", a, at=ANSWER_AT))
        for field, value in (("author", "sam"), ("activatedBy", "rita"), ("proposedAt", t(11)),
                             ("rejections", [{"actor": "lee", "at": t(16), "position": 16, "reason": "too broad"}])):
            b = copy.deepcopy(a)
            b[field] = value
            with self.subTest(field=field):
                self.refused(self.L.bundle("mql", b, at=ANSWER_AT), "answer." + field)

    def test_dissent_on_the_active_version(self):
        L = scripted_ledger()
        L.append("definition/mql", "LeadDefinitionRejected", "sam", {"definition": "mql", "version": 1, "reason": "changed my mind"})  # 18
        a = copy.deepcopy(ANSWER)
        a["rejections"] = [{"actor": "sam", "at": t(18), "backdated": False, "position": 18, "reason": "changed my mind",
                            "recordedAt": t(18)}]
        report = vb.verify_bundle(L.bundle("mql", a, at=ANSWER_AT), L.vkey)
        self.assertEqual([r["reason"] for r in report["answer"]["rejections"]], ["changed my mind"])
        for change in (lambda r: r.clear(), lambda r: r[0].update(reason="fine"), lambda r: r[0].update(actor="lee")):
            b = copy.deepcopy(a)
            change(b["rejections"])
            with self.assertRaisesRegex(vb.Refused, "answer.rejections"):
                vb.verify_bundle(L.bundle("mql", b, at=ANSWER_AT), L.vkey)
        claim = {"claim": "no rejection of mql version 1", "kind": "no-rejection", "stream": "definition/mql", "version": 1,
                 "fromPosition": 1, "throughPosition": 18}
        with self.assertRaisesRegex(vb.Refused, "is false: position 18"):
            vb.verify_bundle(L.bundle("mql", a, at=ANSWER_AT, absence=[claim]), L.vkey)

    def test_flipped_byte_in_a_record(self):
        raw = base64.b64decode(self.event(self.good, 12)["record"])
        for offset in (1, 2, 17, 30, 45, 90, len(raw) - 150, len(raw) - 40, len(raw) - 1):
            def change(b, offset=offset):
                self.event(b, 12)["record"] = base64.b64encode(flip(raw, offset)).decode()
            with self.subTest(offset=offset):
                self.refused(self.tampered(change), "position 12")

    def test_record_lengths_must_add_up(self):
        raw = base64.b64decode(self.event(self.good, 12)["record"])
        for bad in (raw[:-1], raw + b"\x00", raw[:100], b"\x02" + raw[1:]):
            def change(b, bad=bad):
                self.event(b, 12)["record"] = base64.b64encode(bad).decode()
            self.refused(self.tampered(change), "position 12")

    def test_changed_answer_fields(self):
        changes = {
            "version": lambda a: a.update(version=2), "title": lambda a: a.update(title="MQL v9"),
            "activeFrom": lambda a: a.update(activeFrom=t(15)), "activeUntil": lambda a: a.update(activeUntil=t(30)),
            "activationPosition": lambda a: a.update(activationPosition=13), "definition": lambda a: a.update(definition="sql"),
            "at": lambda a: a.update(at=t(21)), "maxBackdateHours": lambda a: a.update(maxBackdateHours=24),
            "override": lambda a: a.update(override={"reason": "x", "rule": "quorum"}),
            "signOffs": lambda a: a["signOffs"].pop(), "actor": lambda a: a["signOffs"][0].update(actor="lee"),
            "signOff at": lambda a: a["signOffs"][1].update(at=t(12)), "comment": lambda a: a["signOffs"][0].update(comment="no"),
            "position": lambda a: a["signOffs"][0].update(position=13), "backdated": lambda a: a["signOffs"][0].update(backdated=True),
            "added signer": lambda a: a["signOffs"].append(dict(a["signOffs"][0], actor="rita")),
        }
        for name, change in changes.items():
            with self.subTest(field=name):
                self.refused(self.tampered(lambda b: change(b["answer"])))

    def test_dropped_sign_off_event(self):
        def drop(b):
            b["events"] = [e for e in b["events"] if e["position"] != 13]
        self.refused(self.tampered(drop), "missing 3")
        # Dropped with the answer and the stream's last version adjusted: the gap still shows.
        def drop_all(b):
            drop(b)
            b["answer"]["signOffs"].pop()
            b["completeStreams"][1]["lastVersion"] = 5
        self.refused(self.tampered(drop_all), "definition/mql")
        # The stream's last events left off (a limit of any bundle: see FORMAT.md): the rejection of v2 goes unseen,
        # but the answer about v1 still holds.
        def tail(b):
            b["events"] = [e for e in b["events"] if e["position"] != 16]
            b["completeStreams"][1]["lastVersion"] = 5
        self.verify(self.tampered(tail))

    def test_proof_hash_replaced(self):
        for i in range(5):
            def change(b, i=i):
                proof = self.event(b, 12)["inclusion"]
                proof[i] = flip(bytes.fromhex(proof[i]), 5).hex()
            with self.subTest(hash=i):
                self.refused(self.tampered(change), "position 12: inclusion proof")
        self.refused(self.tampered(lambda b: self.event(b, 12)["inclusion"].pop()), "fewer")
        self.refused(self.tampered(lambda b: self.event(b, 12)["inclusion"].append("00" * 32)), "more")

    def test_different_checkpoint_size(self):
        L = self.L
        for size in (16, 18, 34):
            body = f"{L.origin}\n{size}\n" + self.good["checkpoint"].split("\n")[2] + "\n"
            forged = body + "\n" + self.good["checkpoint"].split("\n\n")[1]  # the old signature line
            with self.subTest(size=size):
                self.refused(self.tampered(lambda b: b.update(checkpoint=forged)), "does not verify")
        # Honestly signed at another size, with the old proofs: the proofs do not lead to its root.
        self.refused(self.tampered(lambda b: b.update(checkpoint=L.checkpoint(16))), "past the checkpoint|inclusion proof")
        L.append("campaign/q2", "CampaignClosed", "maria", {"campaign": "q2"})
        try:
            self.refused(self.tampered(lambda b: b.update(checkpoint=L.checkpoint(18))), "inclusion proof")
        finally:
            L.records.pop()
            L.versions["campaign/q2"] -= 1

    def test_vkey_of_another_log(self):
        other = Ledger()
        self.refused(self.good, "no signature by the trusted key", vkey=other.vkey)
        # A bundle re-signed by another log key, naming that key as its hint: the auditor's key decides.
        forged = self.tampered(lambda b: b.update(checkpoint=sign_checkpoint(self.L.origin, 17, vb.tree_root(self.L.records), other.log_key),
                                                  verifierKey=note_vkey(self.L.origin, other.log_key)))
        self.refused(forged, "only a hint")
        # Even an auditor misled into trusting that other key is refused: the ledger's first event pins its own.
        self.refused(forged, "first event pins the log key", vkey=note_vkey(self.L.origin, other.log_key))

    def test_previous_hash_and_position(self):
        self.refused(self.tampered(lambda b: self.event(b, 12).update(previousHash="11" * 32)), "chain hash")
        self.refused(self.tampered(lambda b: self.event(b, 12).update(position=11)), "chain hash")
        self.refused(self.tampered(lambda b: self.event(b, 12).update(position=40)), "past the checkpoint")
        self.refused(self.tampered(lambda b: b["events"].append(copy.deepcopy(b["events"][0]))), "twice")

    def test_roles_and_keys(self):
        # lee loses the sales role before signing off (business time), though the log still lets the event stand.
        L = Ledger()
        L.append("ledger", "LedgerInitialized", "rita", {"admin": "rita", "name": "Acme", "key": L.key_text("rita"),
                                                         "proof": L.proof("rita")}, correlation=L.genesis)
        L.append("ledger", "ActorRegistered", "rita", {"actor": "rita", "name": "Rita", "roles": ["revops"]}, correlation=L.genesis)
        for actor, roles in (("maria", ["marketing"]), ("lee", ["sales"])):
            L.append("ledger", "ActorRegistered", "rita", {"actor": actor, "name": actor, "roles": roles})
            L.append("ledger", "ActorKeyRegistered", "rita", {"actor": actor, "keyID": L.key_id(actor),
                                                              "publicKey": L.key_text(actor), "proof": L.proof(actor)})
        L.append("definition/mql", "LeadDefinitionProposed", "maria", {"definition": "mql", "version": 1, "title": "v1",
                                                                       "fit": [], "engagement": []})          # 7
        L.append("ledger", "ActorRolesChanged", "rita", {"actor": "lee", "roles": ["viewer"]}, at=T0 + 7 * HOUR + 1)  # 8
        L.append("ledger", "ActorRolesChanged", "rita", {"actor": "lee", "roles": ["sales"]}, at=T0 + 9 * HOUR)  # 9
        # 10: signed off, dated back into the hour lee was a viewer.
        L.append("definition/mql", "LeadDefinitionSignedOff", "lee", {"definition": "mql", "version": 1}, at=T0 + 8 * HOUR,
                 recorded=T0 + 10 * HOUR)
        L.append("definition/mql", "LeadDefinitionActivated", "maria", {"definition": "mql", "version": 1, "signOffs": 1, "quorum": 1})
        answer = {"activationBackdated": False, "activationPosition": 11, "activationRecordedAt": t(11), "activeFrom": t(11),
                  "at": t(12), "definition": "mql", "head": "11:x", "maxBackdateHours": 72,
                  "signOffs": [{"actor": "lee", "at": t(8), "backdated": False, "position": 10, "recordedAt": t(10)}],
                  "title": "v1", "version": 1}
        with self.assertRaisesRegex(vb.Refused, "did not hold the sales role"):
            vb.verify_bundle(L.bundle("mql", answer, at=t(12)), L.vkey)

    def test_a_role_change_recorded_after_a_sign_off_does_not_undo_it(self):
        L = scripted_ledger()
        # Backdated to before sam's sign-off (position 12), but recorded after it: the sign-off stood when made.
        L.append("ledger", "ActorRolesChanged", "rita", {"actor": "sam", "roles": ["viewer"]}, at=T0 + 11 * HOUR,
                 recorded=T0 + 18 * HOUR)
        self.assertTrue(vb.verify_bundle(L.bundle("mql", copy.deepcopy(ANSWER), at=ANSWER_AT), L.vkey)["ok"])

    def test_revoked_and_unregistered_keys(self):
        L = scripted_ledger()
        sam_old = L.keys["sam"]
        L.append("ledger", "ActorKeyRevoked", "rita", {"actor": "sam", "keyID": L.key_id("sam")})           # 18
        L.append("definition/mql", "LeadDefinitionSignedOff", "sam", {"definition": "mql", "version": 2})   # 19
        self.assertIs(L.keys["sam"], sam_old)
        b = L.bundle("mql", {"at": t(13), "definition": "mql", "head": "x", "maxBackdateHours": 72, "signOffs": []}, at=t(13))
        with self.assertRaisesRegex(vb.Refused, "position 19.*revoked at position 18"):
            vb.verify_bundle(b, L.vkey)
        L = scripted_ledger()
        L.keys["lee"] = Ed25519PrivateKey.generate()  # a key never registered
        L.append("definition/mql", "LeadDefinitionSignedOff", "lee", {"definition": "mql", "version": 2})
        b = L.bundle("mql", {"at": t(13), "definition": "mql", "head": "x", "maxBackdateHours": 72, "signOffs": []}, at=t(13))
        with self.assertRaisesRegex(vb.Refused, "position 18 .*not registered"):
            vb.verify_bundle(b, L.vkey)
        L = scripted_ledger()
        L.append("definition/mql", "LeadDefinitionSignedOff", "lee", {"definition": "mql", "version": 2}, signer="sam")
        b = L.bundle("mql", {"at": t(13), "definition": "mql", "head": "x", "maxBackdateHours": 72, "signOffs": []}, at=t(13))
        with self.assertRaisesRegex(vb.Refused, "of 'sam', not of its actor"):
            vb.verify_bundle(b, L.vkey)
        L = scripted_ledger()
        L.append("definition/mql", "LeadDefinitionSignedOff", "lee", {"definition": "mql", "version": 2}, unsigned=True)
        b = L.bundle("mql", {"at": t(13), "definition": "mql", "head": "x", "maxBackdateHours": 72, "signOffs": []}, at=t(13))
        with self.assertRaisesRegex(vb.Refused, "not signed"):
            vb.verify_bundle(b, L.vkey)
        L = scripted_ledger()
        L.append("definition/mql", "LeadDefinitionSignedOff", "maria", {"definition": "mql", "version": 2})
        b = L.bundle("mql", {"at": t(13), "definition": "mql", "head": "x", "maxBackdateHours": 72, "signOffs": []}, at=t(13))
        with self.assertRaisesRegex(vb.Refused, "authority.*recorded by sales"):
            vb.verify_bundle(b, L.vkey)

    def test_the_checkpoint_key_must_be_the_one_the_ledger_pins(self):
        other = Ledger()
        L = scripted_ledger(pinned_log_key=other.vkey)
        b = L.bundle("mql", copy.deepcopy(ANSWER), at=ANSWER_AT)
        with self.assertRaisesRegex(vb.Refused, "first event pins the log key"):
            vb.verify_bundle(b, L.vkey)
        with self.assertRaisesRegex(vb.Refused, "no signature by the trusted key"):
            vb.verify_bundle(b, other.vkey)
        self.assertTrue(self.verify(self.good)["checkpoint"]["pinnedByGenesis"])

    def test_signature_over_another_ledger_id(self):
        self.refused(self.tampered(lambda b: b.update(ledger=str(uuid.uuid4()))), "names another ledger|does not verify")

    def test_absence_claims(self):
        def claim(**kw):
            c = {"claim": "no rejection", "kind": "no-rejection", "stream": "definition/mql", "version": 2,
                 "fromPosition": 1, "throughPosition": 17}
            c.update(kw)
            return lambda b: b.update(absence=[c])
        self.refused(self.tampered(claim()), "is false: position 16")
        self.verify(self.tampered(claim(until=t(15))))
        self.refused(self.tampered(claim(throughPosition=18)), "not given complete")
        self.refused(self.tampered(claim(kind="no-retirement")), "cannot check")

    def test_complete_streams(self):
        self.refused(self.tampered(lambda b: b["completeStreams"].pop()), "definition/mql")
        self.refused(self.tampered(lambda b: b["completeStreams"][0].update(throughPosition=16)), "not through the checkpoint")
        self.refused(self.tampered(lambda b: b["completeStreams"][0].update(lastVersion=10)), "missing 10")
        self.refused(self.tampered(lambda b: b["completeStreams"][0].update(throughPosition=99)), "past the checkpoint")

    def test_command_line(self):
        script = os.path.join(HERE, "verify_bundle.py")
        with tempfile.TemporaryDirectory() as d:
            good, bad = os.path.join(d, "good.json"), os.path.join(d, "bad.json")
            with open(good, "w") as f:
                json.dump(self.good, f)
            with open(bad, "w") as f:
                json.dump(self.tampered(lambda b: b["answer"].update(version=2)), f)
            run = lambda *a: subprocess.run([sys.executable, script, *a], capture_output=True, text=True)
            ok = run(good, "--vkey", self.L.vkey)
            self.assertEqual(ok.returncode, 0, ok.stderr)
            self.assertIn("signed off by sam", ok.stdout)
            js = run(good, "--vkey", self.L.vkey, "--json")
            self.assertEqual(js.returncode, 0, js.stderr)
            self.assertTrue(json.loads(js.stdout)["ok"])
            no = run(bad, "--vkey", self.L.vkey)
            self.assertEqual(no.returncode, 1)
            self.assertIn("answer.version", no.stderr)
            nj = run(bad, "--vkey", self.L.vkey, "--json")
            self.assertEqual(nj.returncode, 1)
            self.assertFalse(json.loads(nj.stdout)["ok"])
            self.assertEqual(run(os.path.join(d, "missing.json"), "--vkey", self.L.vkey).returncode, 1)
            self.assertEqual(run(good).returncode, 2)  # --vkey is required


if __name__ == "__main__":
    unittest.main()
