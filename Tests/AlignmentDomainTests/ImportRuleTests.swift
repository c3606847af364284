// The rules for steps imported from a CRM (`DecisionContext.source`): the CRM's history is recorded with its source,
// a handoff that breaks an overridable rule is a flagged import (not refused), the ledger's people act with the roles
// they hold now when the ledger did not know them yet, and what no flag can set aside (the lead's lifecycle, an
// unknown definition) is still refused.
import Foundation
import Testing
@testable import AlignmentDomain

@Suite struct ImportRuleTests {
    /// The standard world (registered at 2026-03-01), an active `mql` (employees >= 200), the policy refusing
    /// off-definition handoffs, and sales history from 2025: before anyone was registered.
    func world() throws -> World {
        let w = try World.standard()
        try w.activeDefinition()
        return w
    }

    let lastYear = Date(timeIntervalSince1970: 1_750_000_000)  // 2025-06-15

    func imported(_ w: World, _ c: Command, as actor: String, at: Date, source: String = "salesforce:Lead/00Q1") throws -> [DomainEvent] {
        try Decider.decide(c, w.fold, DecisionContext(actor: actor, at: at, recordedAt: w.now.addingTimeInterval(60), importedBy: "rita", source: source))
    }

    func handoff(_ lead: String, employees: String, owner: String? = "sam") -> Command {
        var h = HandoffArgs(id: lead, definition: "mql")
        h.owner = owner
        h.profile = ["employees": employees]
        h.signals = [Signal(name: "webinar.attended", at: Date(timeIntervalSince1970: 1_749_000_000))]
        return .leadHandoff(h)
    }

    @Test func anImportedHandoffBreakingARuleIsFlaggedWithItsSource() throws {
        let w = try world()
        // Not imported, the same handoff at the same past time is refused (nobody was registered then).
        expectRefused(Rule.activeActor) { try Decider.decide(handoff("L-1", employees: "50"), w.fold,
                                                               DecisionContext(actor: "maria", at: lastYear, recordedAt: w.now, importedBy: "rita")) }
        guard case .leadHandedOff(let h)? = try imported(w, handoff("L-1", employees: "50"), as: "maria", at: lastYear).first else {
            Issue.record("no handoff"); return
        }
        #expect(h.source == "salesforce:Lead/00Q1")
        // mql was not active in 2025: the first broken rule is recorded, with the source in the reason.
        #expect(h.override?.rule == Rule.definitionActive)
        #expect(h.override?.reason.hasPrefix("flagged import from salesforce:Lead/00Q1: ") == true)
        // The evaluation is still recorded: the lead did not meet the definition either.
        #expect(h.evaluation?.met == false)
    }

    @Test func anImportedHandoffThatBreaksNothingIsNotFlagged() throws {
        let w = try world()
        guard case .leadHandedOff(let h)? = try imported(w, handoff("L-2", employees: "900"), as: "maria", at: w.now).first else {
            Issue.record("no handoff"); return
        }
        #expect(h.override == nil && h.source == "salesforce:Lead/00Q1" && h.evaluation?.met == true)
    }

    @Test func importedDecisionsCarryTheirSource() throws {
        let w = try world()
        for e in try imported(w, handoff("L-3", employees: "900"), as: "maria", at: lastYear) { w.record([e], by: "maria", at: lastYear) }
        let accepted = try imported(w, .leadAccept(id: "L-3"), as: "sam", at: lastYear.addingTimeInterval(3600), source: "salesforce:LeadHistory/017A")
        #expect(accepted == [.leadAccepted(LeadAccepted(lead: "L-3", source: "salesforce:LeadHistory/017A"))])
        w.record(accepted, by: "sam", at: lastYear.addingTimeInterval(3600))
        let converted = try imported(w, .leadConvert(id: "L-3", opportunity: "006X", amount: 1200), as: "sam",
                                     at: lastYear.addingTimeInterval(7200), source: "salesforce:Opportunity/006X")
        #expect(converted == [.leadConverted(LeadConverted(lead: "L-3", opportunity: "006X", amount: 1200, source: "salesforce:Opportunity/006X"))])
    }

    @Test func whatNoFlagSetsAsideIsStillRefused() throws {
        let w = try world()
        // The lifecycle: an accept of a lead never handed off, a conversion before any acceptance.
        #expect(throws: DomainError.self) { try imported(w, .leadAccept(id: "L-9"), as: "sam", at: lastYear) }
        for e in try imported(w, handoff("L-5", employees: "900"), as: "maria", at: lastYear) { w.record([e], by: "maria", at: lastYear) }
        expectRefused(Rule.leadLifecycle) { try imported(w, .leadConvert(id: "L-5", opportunity: nil, amount: nil), as: "sam", at: lastYear) }
        // The role: sales does not hand off, imported or not.
        expectRefused(Rule.role) { try imported(w, handoff("L-4", employees: "900"), as: "sam", at: lastYear) }
        // An owner who is not in sales now.
        expectRefused(Rule.role) { try imported(w, handoff("L-4", employees: "900", owner: "maria"), as: "maria", at: lastYear) }
        // An unknown definition.
        var h = HandoffArgs(id: "L-4", definition: "nope")
        h.signals = [Signal(name: "webinar.attended", at: lastYear)]
        #expect(throws: DomainError.self) { try imported(w, .leadHandoff(h), as: "maria", at: lastYear) }
        // A deactivated actor who was not registered then cannot stand in for the CRM's person.
        try w.run(.actorDeactivate(id: "mark"), as: "rita")
        expectRefused(Rule.activeActor) { try imported(w, handoff("L-4", employees: "900"), as: "mark", at: lastYear) }
    }
}
