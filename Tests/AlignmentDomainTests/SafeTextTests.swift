// Text that cannot lie on a terminal, at the door: ids are NFC printable letters and digits; names are one printable
// line; free text may hold newlines and tabs but no other control, no bidi control and nothing invisible. Each kind
// both ways, through the typed door (`Decider.decide`, which checks every command) and the apply format (`parse`).
import Foundation
import Testing
@testable import AlignmentDomain
import SplitMix

/// Escape codes an attacker would type: a colour, a screen clear, an OSC window title, an OSC 8 hyperlink.
let escapeCodes = ["\u{1B}[31mred", "\u{1B}[2J", "\u{1B}]0;pwned\u{07}", "\u{1B}]8;;https://evil.example\u{1B}\\click\u{1B}]8;;\u{1B}\\", "\u{9B}31m"]

@Suite("Safe text at the door")
struct SafeTextTests {
    /// Ids with something a terminal acts on or hides, or that is not NFC printable.
    static let badIDs: [String] = [
        "sam\u{1B}", "a\u{0}b", "a\u{7F}", "a\u{85}b", "a\u{9B}b",                         // C0, DEL, C1
        "a\u{202E}b", "a\u{202A}", "a\u{2066}b", "a\u{2069}", "a\u{200E}", "a\u{200F}", "a\u{061C}",  // bidi controls
        "sa\u{200B}m", "sam\u{200D}", "a\u{2060}b", "\u{FEFF}sam", "a\u{AD}b", "a\u{E0041}",  // zero-width, invisible
        "sam\u{3164}", "a\u{34F}b", "sam\u{FE0F}",                                         // invisible letters and marks
        "\u{301}sam", "cafe\u{301}", "a\nb", "a\tb", "a b", "a\u{2028}b", "",              // leading mark, not NFC, blanks
    ]

    @Test(arguments: badIDs)
    func idsRefuseHiddenAndUncomposedCharacters(_ id: String) throws {
        expectInvalid { try Command.parse("lead.accept", ["id": .string(id)]) }
        expectInvalid { try Command.leadAccept(id: id).check() }
        expectInvalid { try Command.leadConvert(id: "L-1", opportunity: id, amount: nil).check() }
        // ... and as the acting actor, before any rule looks at it.
        let w = try World.standard()
        expectInvalid { try w.decide(.actorDeactivate(id: "sam"), as: id) }
        expectInvalid { try w.decide(.actorAdd(id: id, name: "X", roles: [.sales]), as: "rita") }
    }

    @Test(arguments: ["L-1", "maria@acme.example", "caf\u{E9}", "\u{6771}\u{4EAC}", "\u{3A9}mega", "Zo\u{EB}.o_b-1", "a\u{316}b"])
    func idsTakeComposedLettersAndDigits(_ id: String) throws {
        #expect(try Command.parse("lead.accept", ["id": .string(id)]) == .leadAccept(id: id))
        let w = try World.standard()
        #expect(try w.decide(.actorAdd(id: id, name: "X", roles: [.sales]), as: "rita").count == 1)
    }

    @Test func theMessageShowsAnInvisibleIdVisibly() {
        guard case .invalid(let m)? = domainError(#_sourceLocation, { try Command.parse("lead.accept", ["id": .string("sa\u{200B}m\u{202E}")]) }) else { return }
        #expect(m.contains(#""sa\u{200B}m\u{202E}""#), "\(m)")
        #expect(!m.unicodeScalars.contains(where: SafeText.isHidden), "\(m.debugDescription)")
    }

    @Test func namesRefuseControlsAndBidiControls() throws {
        let w = try World.standard()
        for bad in escapeCodes + ["Eve\nsigned off by sofia", "Eve\tTab", "Eve\r", "\u{202E}eve", "Eve\u{2067}", "Ev\u{200B}e", "Eve\u{2028}x"] {
            expectInvalid("name") { try w.decide(.actorAdd(id: "eve", name: bad, roles: [.sales]), as: "rita") }
            expectInvalid { try w.decide(.campaignDraft(id: "c", name: bad, audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria") }
            expectInvalid { try w.decide(.definitionPropose(id: "d", title: bad, fit: [Criterion(field: "a", op: "=", values: ["b"])], engagement: [], rationale: nil), as: "maria") }
            expectInvalid { try w.decide(.definitionPropose(id: "d", title: "T", fit: [Criterion(field: "a", op: "=", values: [bad])], engagement: [], rationale: nil), as: "maria") }
            expectInvalid { try w.decide(.contentPlan(asset: "a", title: bad, stage: .decision, persona: nil), as: "maria") }
            expectInvalid { try w.decide(.contentPlan(asset: "a", title: "A", stage: .decision, persona: bad), as: "maria") }
            expectInvalid { try Command.parse("actor.add", ["id": .string("eve"), "name": .string(bad), "role": .string("sales")]).check() }
            expectInvalid { try Decider.initialize(admin: "rita", name: bad) }
        }
    }

    @Test func namesTakeAnyPrintableText() throws {
        let w = try World.standard()
        for good in ["Zo\u{EB} O'Brien", "\u{1F469}\u{200D}\u{1F4BB} Maria", "\u{6771}\u{4EAC} team", "\u{201C}Quoted\u{201D} \u{2014} dash", "\u{5E9}\u{5DC}\u{5D5}\u{5DD}", "back\\slash"] {
            #expect(try w.decide(.actorAdd(id: "eve", name: good, roles: [.sales]), as: "rita")
                    == [.actorRegistered(ActorRegistered(actor: "eve", name: good, roles: [.sales]))])
            #expect(try w.decide(.campaignDraft(id: "c", name: good, audience: nil, offer: nil, channels: [good], launchDate: nil), as: "maria").count == 1)
        }
    }

    @Test func freeTextTakesNewlinesAndTabsButNoOtherControl() throws {
        let w = try World.standard()
        let v = try w.propose()
        let multiline = "matches our ICP\n\tsee the Q1 analysis\nthanks"
        #expect(try w.decide(.definitionSignOff(id: "mql", version: v, comment: multiline), as: "sam")
                == [.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: v, comment: multiline))])
        for bad in escapeCodes + ["ok\r  signed off by sofia", "ok\u{7}", "ok\u{0}", "\u{202E}ko", "ok\u{2066}", "ok\u{2028}more", "ok\u{200B}"] {
            expectInvalid("comment") { try w.decide(.definitionSignOff(id: "mql", version: v, comment: bad), as: "sam") }
            expectInvalid("reason") { try w.decide(.definitionReject(id: "mql", version: v, reason: bad), as: "sam") }
            expectInvalid("reason") { try w.decide(.definitionActivate(id: "mql", version: v, override: bad), as: "rita") }
            expectInvalid("rationale") { try w.decide(.definitionPropose(id: "d", title: "T", fit: [Criterion(field: "a", op: "=", values: ["b"])], engagement: [], rationale: bad), as: "maria") }
            expectInvalid("summary") { try w.decide(.campaignBrief(id: "c", summary: bad, talkingPoints: [], offer: nil), as: "maria") }
            expectInvalid("talking-point") { try w.decide(.campaignBrief(id: "c", summary: "S", talkingPoints: ["fine", bad], offer: nil), as: "maria") }
            expectInvalid("note") { try w.decide(.leadReject(id: "L-1", reason: .notICP, note: bad), as: "sam") }
            expectInvalid("what") { try w.decide(.contentRequest(id: "r", what: bad, stage: .decision, lead: nil, why: nil), as: "sam") }
            var h = HandoffArgs(id: "L-1", definition: "mql")
            h.signals = [Signal(name: "webinar.attended", at: ruleT0, detail: bad)]
            expectInvalid("signal") { try w.decide(.leadHandoff(h), as: "maria") }
            expectInvalid("comment") {
                try Command.parse("definition.sign-off", ["id": .string("mql"), "version": .number(1), "comment": .string(bad)]).check()
            }
        }
        // The refusal names the character without printing it.
        guard case .invalid(let m)? = domainError(#_sourceLocation, { try w.decide(.definitionSignOff(id: "mql", version: v, comment: "a\u{1B}[2J"), as: "sam") }) else { return }
        #expect(m.contains("U+001B") && !m.contains("\u{1B}"), "\(m.debugDescription)")
    }

    @Test func escapingShowsEveryHiddenCharacterOnOneLine() {
        #expect(SafeText.escaped("plain text, caf\u{E9} \u{1F469}\u{200D}\u{1F4BB}") == "plain text, caf\u{E9} \u{1F469}\u{200D}\u{1F4BB}")
        #expect(SafeText.escaped("a\nb\tc\rd") == #"a\nb\tc\rd"#)
        #expect(SafeText.escaped("\u{1B}]0;pwned\u{07}") == #"\u{1B}]0;pwned\u{7}"#)
        #expect(SafeText.escaped("x\u{202E}y\u{9B}z\u{200B}\u{2028}") == #"x\u{202E}y\u{9B}z\u{200B}\u{2028}"#)
        #expect(SafeText.quoted("say \"hi\"\n") == #""say \"hi\"\n""#)
    }

    /// Whatever the text, its escaped form holds no hidden character (no ESC, no newline, no bidi control), is
    /// unchanged when escaped again, and leaves printable text as it was.
    @Test func escapedTextHoldsNothingHidden() {
        var rng = SplitMix64(seed: 11)
        let pools: [ClosedRange<UInt32>] = [0x0...0x7F, 0x80...0xFF, 0x2000...0x206F, 0x0600...0x061F, 0xFE00...0xFEFF, 0x1F300...0x1F64F, 0xE0000...0xE007F]
        for _ in 0..<2_000 {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int(rng.next() % 12) {
                let pool = pools[Int(rng.next() % UInt64(pools.count))]
                if let u = Unicode.Scalar(pool.lowerBound + UInt32(rng.next() % UInt64(pool.count))) { s.append(u) }
            }
            let text = String(s), shown = SafeText.escaped(text)
            #expect(!shown.unicodeScalars.contains(where: SafeText.isHidden), "\(text.debugDescription) -> \(shown.debugDescription)")
            #expect(SafeText.escaped(shown) == shown)
            if !text.unicodeScalars.contains(where: SafeText.isHidden) { #expect(shown == text) }
        }
    }
}
