// Text that cannot lie on a terminal, through the service: the issue's forged approval (a newline in a sign-off
// comment printed a "signed off by sofia ..." line of its own in `audit who-approved`), escape codes refused at the
// door, and escape codes already in the log (an old ledger, a raw append) shown escaped by every human view, while
// the JSON forms keep the stored text as it is. Also separation of duties through the service: refusals write nothing.
import Foundation
import Testing
@testable import AlignmentDomain
@testable import AlignmentLedger
import EventLog

/// Whether a line of human output holds anything a terminal would act on or hide.
private func hidden(_ line: String) -> Bool { line.unicodeScalars.contains(where: SafeText.isHidden) }

@Suite("AlignmentLedger: text that cannot lie on a terminal")
struct TerminalTextTests {
    /// The comment of the issue: a newline, then what looks like a second sign-off, by sofia, who never gave one.
    static let forgery = "ok\n  signed off by sofia at 2026-03-01T09:30:00Z (#12): looks good to me"

    @Test func aNewlineInASignOffCommentCannotForgeAnApproval() throws {
        try withFixture { f in
            try f.run(.definitionPropose(id: "mql", title: "MQL 2", fit: [try Criterion.parse("employees>=500")], engagement: [], rationale: nil), as: "maria")
            // Free text may hold newlines: the sign-off is recorded with the comment as typed.
            let signed = try f.run(.definitionSignOff(id: "mql", version: 2, comment: Self.forgery), as: "sam")
            try f.run(.definitionActivate(id: "mql", version: 2, override: nil), as: "maria")
            let answer = try f.ledger.whoApproved("mql", at: f.nextTime)
            #expect(answer.version == 2)
            let text = answer.answerLines.joined(separator: "\n")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            // One sign-off, one line: sam's, with the comment escaped on it; no line starts as sofia's.
            #expect(lines.filter { $0.hasPrefix("  signed off by") }.count == 1, "\(text)")
            #expect(!lines.contains { $0.contains("signed off by sofia") && !$0.hasPrefix("  signed off by sam") }, "\(text)")
            #expect(text.contains(#"(#\#(signed[0].position), recorded "#) && text.contains(#"): ok\n  signed off by sofia"#), "\(text)")
            // The same holds for the audit trail, the definition's story and the log view.
            for view in [try f.ledger.auditDefinition("mql", version: 2).lines, try f.ledger.definition("mql").storyLines] {
                let all = view.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false)
                #expect(all.count == view.count, "\(view)")
                #expect(!all.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("signed off by sofia") }, "\(view)")
            }
            // JSON is unchanged: the comment as stored, newline and all.
            let json = try JSONSerialization.jsonObject(with: Data(try LedgerJSON.encode(answer))) as? [String: Any]
            let signOffs = json?["signOffs"] as? [[String: Any]]
            #expect(signOffs?.first?["comment"] as? String == Self.forgery)
        }
    }

    @Test func escapeCodesInNamesCommentsAndIdsAreRefusedAtTheDoor() throws {
        try withFixture { f in
            let head = try f.ledger.log.head()
            let attempts: [(String, Command)] = [
                ("rita", .actorAdd(id: "eve", name: "\u{1B}]0;pwned\u{07}Eve", roles: [.sales])),
                ("rita", .actorAdd(id: "eve", name: "Eve \u{1B}[8mhidden", roles: [.sales])),
                ("rita", .actorAdd(id: "eve\u{1B}[31m", name: "Eve", roles: [.sales])),
                ("rita", .actorAdd(id: "e\u{202E}ve", name: "Eve", roles: [.sales])),
                ("sam", .definitionReject(id: "mql", version: 1, reason: "no\u{1B}[2J")),
                ("sam", .leadReject(id: "L-1", reason: .notICP, note: "\u{1B}]8;;https://evil.example\u{07}link")),
                ("maria", .campaignDraft(id: "q9", name: "Q9 \u{202E}", audience: nil, offer: nil, channels: [], launchDate: nil)),
                ("sam\u{1B}[0m", .leadAccept(id: "L-1")),
            ]
            for (actor, command) in attempts {
                // Malformed input (exit 2), whatever the rules would have said.
                do {
                    _ = try f.ledger.execute(command, as: actor, at: f.nextTime)
                    Issue.record("\(command.name) by \(actor.debugDescription) was accepted")
                } catch DomainError.invalid(let message) {
                    #expect(!hidden(message), "\(message.debugDescription)")
                } catch {
                    Issue.record("\(command.name) by \(actor.debugDescription): expected .invalid, got \(error)")
                }
            }
            #expect(try f.ledger.log.head() == head)
            // The apply door refuses them too, and writes nothing.
            let file = #"{"command":"definition.reject","as":"sam","args":{"id":"mql","version":1,"reason":"\u001b[2J"}}"#
            #expect(throws: ApplyError.self) { try f.ledger.apply(file: Array(file.utf8), defaultActor: nil, defaultAt: f.nextTime) }
            #expect(try f.ledger.log.head() == head)
        }
    }

    /// An event written behind the service's back (as an old ledger or a raw append could hold) with escape codes,
    /// bidi controls and newlines in its name and comment, and a bidi control in its actor (the log itself refuses
    /// C0 and C1 controls in actors and streams): every human view shows them escaped.
    @Test func escapeCodesAlreadyInTheLogAreShownEscaped() throws {
        try withFixture { f in
            let osc = "\u{1B}]0;pwned\u{07}"
            let name = "Eve \(osc)\u{1B}[31mRed\u{202E}desrever"
            let register = Array(#"{"actor":"eve","name":"\#(name.unicodeScalars.map { $0.value < 0x20 ? String(format: "\\u%04x", $0.value) : String($0) }.joined())","roles":["sales"]}"#.utf8)
            // (By rita: an event outside its actor's authority is not folded at all; see SignatureTests.)
            _ = try f.ledger.log.append(to: "ledger", [ProposedEvent(type: "ActorRegistered", actor: "rita", payload: register)])
            let signOff = Array(#"{"definition":"mql","version":1,"comment":"fine\n  signed off by sofia \u001b[32mOK\u001b[0m \u202e"}"#.utf8)
            _ = try f.ledger.log.append(to: "definition/mql", [ProposedEvent(type: "LeadDefinitionSignedOff", actor: "eve", payload: signOff)])
            let reopened = try AlignmentLedger.open(at: f.path)
            #expect(try reopened.ledgerState().actors["eve"]?.name == name)
            var events = try reopened.events(from: 1, limit: 1_000)
            if var odd = events.last { odd.actor = "rita\u{202E}x"; events.append(odd) }  // an actor's id as the log allows it
            let views: [(String, [String])] = [
                ("actor list", ListText.actors(Array(try reopened.ledgerState().actors.values))),
                ("log", events.map(AlignmentLedger.logLine)),
                ("who-approved", try reopened.whoApproved("mql", at: f.nextTime).answerLines),
                ("audit definition", try reopened.auditDefinition("mql").lines),
                ("audit actor", try reopened.auditActor("eve").lines),
                ("definition show", try reopened.definition("mql").storyLines),
            ]
            for (view, lines) in views {
                for line in lines { #expect(!hidden(line), "\(view): \(line.debugDescription)") }
                #expect(!lines.contains { $0.hasPrefix("  signed off by sofia") }, "\(view): \(lines)")
            }
            #expect(views[0].1.contains { $0.contains(#"Eve \u{1B}]0;pwned\u{7}\u{1B}[31mRed\u{202E}desrever"#) }, "\(views[0].1)")
            #expect(views[1].1.contains { $0.contains(#"rita\u{202E}x"#) }, "\(views[1].1)")
            #expect(views[2].1.contains { $0.contains(#"fine\n  signed off by sofia \u{1B}[32mOK\u{1B}[0m \u{202E}"#) }, "\(views[2].1)")
        }
    }

    @Test func tablesMeasureTheEscapedCells() {
        let lines = TextTable.lines(["ID", "NAME"], [["a\u{1B}b", "x"], ["long-id", "y\nz"]])
        #expect(lines == ["ID        NAME", "--------  ----", #"a\u{1B}b  x"#, #"long-id   y\nz"#])
    }

    // MARK: separation of duties through the service

    @Test func selfDealingIsRefusedAndWritesNothing() throws {
        try withFixture { f in
            try f.run(.actorAdd(id: "max", name: "Max", roles: [.marketing, .sales]), as: "rita")
            try f.run(.campaignDraft(id: "q4", name: "Q4", audience: nil, offer: nil, channels: [], launchDate: nil), as: "max")
            try f.run(f.handoff("L-7", owner: "sam"), as: "max")
            let head = try f.ledger.log.head()
            let states = try keptStates(f.ledger)
            let refusals: [(String, Command, String)] = [
                ("max", .campaignReview(id: "q4", approve: true, comment: nil), Rule.noSelfReview),
                ("max", .leadAccept(id: "L-7"), Rule.noVerdictOnOwnHandoff),
                ("max", .leadReject(id: "L-7", reason: .notICP, note: nil), Rule.noVerdictOnOwnHandoff),
                ("rita", .actorRoles(id: "rita", roles: [.revops, .sales]), Rule.noSelfRoleChange),
                ("rita", .policySet(quorum: 4, slaHours: nil, requireContext: nil, requireCampaignReview: nil), Rule.quorumWithinSales),
            ]
            for (actor, command, rule) in refusals {
                do {
                    _ = try f.ledger.execute(command, as: actor, at: f.nextTime)
                    Issue.record("\(actor) \(command.name) was accepted")
                } catch let e as DomainError {
                    #expect(e.rule == rule, "\(actor) \(command.name): \(e)")
                }
            }
            #expect(try f.ledger.log.head() == head)
            #expect(try keptStates(f.ledger) == states)
            // Others may: sam reviews max's draft and accepts his lead; the kept campaign knows its draft's author.
            try f.run(.campaignReview(id: "q4", approve: true, comment: nil), as: "sam")
            try f.run(.leadAccept(id: "L-7"), as: "sam")
            #expect(try AlignmentLedger.open(at: f.path).campaign("q4").draftedBy == "max")
        }
    }
}
