// Separation of duties, each rule both ways: nobody approves their own work (a campaign draft's author does not
// review it, whoever handed off a lead does not decide it) or changes their own access, and the sign-off quorum
// counts only sales members who may still approve, and cannot be set beyond how many there are.
import Foundation
import Testing
@testable import AlignmentDomain

extension World {
    /// The standard world plus max, who holds marketing and sales (the person the issue caught self-dealing).
    static func withMax() throws -> World {
        let w = try World.standard()
        try w.run(.actorAdd(id: "max", name: "Max", roles: [.marketing, .sales]), as: "rita")
        return w
    }
}

/// The refusal's message, for checking that it says who may do it instead.
func refusalMessage(_ body: () throws -> Any) -> String {
    if case .refused(_, let message)? = domainError(#_sourceLocation, body) { return message }
    return ""
}

@Suite("Rules: separation of duties")
struct DutiesTests {
    // MARK: campaigns

    @Test func theAuthorOfTheLatestDraftCannotReviewIt() throws {
        let w = try World.withMax()
        try w.run(.campaignDraft(id: "q3", name: "Q3", audience: nil, offer: nil, channels: [], launchDate: nil), as: "max")
        try w.run(.campaignRequestReview(id: "q3"), as: "max")
        #expect(try w.fold.campaign("q3").draftedBy == "max")
        let before = w.fold.snapshot
        for approve in [true, false] {
            expectRefused(Rule.noSelfReview) { try w.decide(.campaignReview(id: "q3", approve: approve, comment: nil), as: "max") }
        }
        let message = refusalMessage { try w.decide(.campaignReview(id: "q3", approve: true, comment: nil), as: "max") }
        #expect(message.contains("'max' drafted campaign 'q3'") && message.contains("sam, sid, sofia"), "\(message)")
        #expect(w.fold.snapshot == before)
        // Another sales member reviews it; the launch then needs no override.
        #expect(try w.run(.campaignReview(id: "q3", approve: true, comment: nil), as: "sam").count == 1)
        #expect(try w.decide(.campaignLaunch(id: "q3", override: nil), as: "max").count == 1)
    }

    @Test func authorshipIsTheLatestRevisions() throws {
        let w = try World.withMax()
        try w.run(.campaignDraft(id: "q3", name: "Q3", audience: nil, offer: nil, channels: [], launchDate: nil), as: "max")
        // maria redrafts: max did not write revision 2 and may review it...
        try w.run(.campaignDraft(id: "q3", name: "Q3 v2", audience: nil, offer: nil, channels: [], launchDate: nil), as: "maria")
        #expect(try w.fold.campaign("q3").draftedBy == "maria")
        #expect(try w.decide(.campaignReview(id: "q3", approve: true, comment: nil), as: "max").count == 1)
        // ... until max redrafts it again.
        try w.run(.campaignDraft(id: "q3", name: "Q3 v3", audience: nil, offer: nil, channels: [], launchDate: nil), as: "max")
        expectRefused(Rule.noSelfReview) { try w.decide(.campaignReview(id: "q3", approve: false, comment: "no"), as: "max") }
    }

    // MARK: leads

    @Test func whoeverHandedOffALeadCannotAcceptOrRejectIt() throws {
        let w = try World.withMax()
        try w.activeDefinition()
        var h = HandoffArgs(id: "L-1", definition: "mql")
        h.profile = ["employees": "450"]
        h.signals = [Signal(name: "webinar.attended", at: ruleT0, detail: nil)]
        h.owner = "sam"
        try w.run(.leadHandoff(h), as: "max")
        let before = w.fold.snapshot
        expectRefused(Rule.noVerdictOnOwnHandoff) { try w.decide(.leadAccept(id: "L-1"), as: "max") }
        expectRefused(Rule.noVerdictOnOwnHandoff) { try w.decide(.leadReject(id: "L-1", reason: .notICP, note: nil), as: "max") }
        let message = refusalMessage { try w.decide(.leadAccept(id: "L-1"), as: "max") }
        #expect(message.contains("'max' handed off lead 'L-1'") && message.contains("owner 'sam'"), "\(message)")
        #expect(w.fold.snapshot == before)
        #expect(try w.decide(.leadReject(id: "L-1", reason: .notICP, note: nil), as: "sofia").count == 1)
        try w.run(.leadAccept(id: "L-1"), as: "sam")
        #expect(try w.fold.lead("L-1").status == .accepted)
    }

    @Test func aLeadHandedOffBySomeoneElseIsMaxsToDecide() throws {
        let w = try World.withMax()
        try w.activeDefinition()
        try w.run(w.handoff("L-2"), as: "maria")
        #expect(try w.decide(.leadAccept(id: "L-2"), as: "max").count == 1)
        #expect(try w.decide(.leadReject(id: "L-2", reason: .badTiming, note: nil), as: "max").count == 1)
    }

    // MARK: access

    @Test func nobodyChangesTheirOwnRoles() throws {
        let w = try World.standard()
        // rita, the only revops member, grants herself sales (the self-dealing): refused, and the message
        // says how to get another revops member.
        expectRefused(Rule.noSelfRoleChange) { try w.decide(.actorRoles(id: "rita", roles: [.revops, .sales]), as: "rita") }
        #expect(refusalMessage { try w.decide(.actorRoles(id: "rita", roles: [.revops, .sales]), as: "rita") }
            .contains("no other active revops member"))
        try w.run(.actorAdd(id: "ron", name: "Ron", roles: [.revops]), as: "rita")
        let message = refusalMessage { try w.decide(.actorRoles(id: "rita", roles: [.revops, .sales]), as: "rita") }
        #expect(message.contains("another revops member (ron) must run `align actor roles rita"), "\(message)")
        // An override is not a way round it: the command takes none, and revops would be overriding for itself.
        expectInvalid("does not take") {
            try Command.parse("actor.roles", ["id": .string("rita"), "role": .string("sales"), "override": .bool(true), "reason": .string("I say so")])
        }
        // Another revops member may.
        #expect(try w.run(.actorRoles(id: "rita", roles: [.revops, .sales]), as: "ron")
                == [.actorRolesChanged(ActorRolesChanged(actor: "rita", roles: [.revops, .sales]))])
        // Changing someone else's roles stays allowed, and rita now signs off as sales like anyone else.
        #expect(try w.decide(.actorRoles(id: "sam", roles: [.sales, .viewer]), as: "rita").count == 1)
        let v = try w.propose()
        #expect(try w.decide(.definitionSignOff(id: "mql", version: v, comment: nil), as: "rita").count == 1)
    }

    @Test func nobodyDeactivatesThemselves() throws {
        let w = try World.standard()
        try w.run(.actorAdd(id: "ron", name: "Ron", roles: [.revops]), as: "rita")
        expectRefused(Rule.noSelfRoleChange) { try w.decide(.actorDeactivate(id: "ron"), as: "ron") }
        #expect(refusalMessage { try w.decide(.actorDeactivate(id: "ron"), as: "ron") }.contains("another revops member (rita)"))
        #expect(try w.run(.actorDeactivate(id: "ron"), as: "rita") == [.actorDeactivated(ActorDeactivated(actor: "ron"))])
    }

    // MARK: quorum

    @Test func theQuorumCountsOnlySignOffsByActiveSalesMembers() throws {
        let w = try World.standard()
        try w.setPolicy(quorum: 2)
        let v = try w.propose()
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam")
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sofia")
        // Two sign-offs meet the quorum of two...
        #expect(try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria").count == 1)
        // ... until sofia is deactivated: her sign-off no longer counts.
        try w.run(.actorDeactivate(id: "sofia"), as: "rita")
        expectRefused(Rule.quorum) { try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria") }
        let message = refusalMessage { try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria") }
        #expect(message.contains("has 1 of 2") && message.contains("sofia's (deactivated)"), "\(message)")
        // sid signs off: sam and sid count, and the activation records two, not the three sign-offs on file.
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sid")
        #expect(try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria")
                == [.definitionActivated(LeadDefinitionActivated(definition: "mql", version: v, signOffs: 2, quorum: 2, supersedes: nil, override: nil))])
    }

    @Test func aSignOffBySomeoneNoLongerInSalesDoesNotCount() throws {
        let w = try World.standard()
        let v = try w.propose()
        try w.run(.definitionSignOff(id: "mql", version: v, comment: nil), as: "sam")
        try w.run(.actorRoles(id: "sam", roles: [.viewer]), as: "rita")
        expectRefused(Rule.quorum) { try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria") }
        #expect(refusalMessage { try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria") }
            .contains("sam's (no longer sales)"))
        // Revops may still activate it in the open; the event records the sign-offs that counted: none.
        let events = try w.decide(.definitionActivate(id: "mql", version: v, override: "sam moved to support"), as: "rita")
        #expect(events == [.definitionActivated(LeadDefinitionActivated(definition: "mql", version: v, signOffs: 0, quorum: 1, supersedes: nil,
                                                                        override: Override(reason: "sam moved to support", rule: Rule.quorum)))])
        // sam back in sales: his sign-off counts again.
        try w.run(.actorRoles(id: "sam", roles: [.sales]), as: "rita")
        #expect(try w.decide(.definitionActivate(id: "mql", version: v, override: nil), as: "maria").count == 1)
    }

    @Test func theQuorumCannotExceedTheActiveSalesMembers() throws {
        let w = try World.standard()  // sam, sofia and sid in sales
        func quorum(_ n: Int) -> Command { .policySet(quorum: n, slaHours: nil, requireContext: nil, requireCampaignReview: nil) }
        expectRefused(Rule.quorumWithinSales) { try w.decide(quorum(4), as: "rita") }
        #expect(refusalMessage { try w.decide(quorum(4), as: "rita") }.contains("there are 3 active sales members (sam, sid, sofia)"))
        #expect(try w.decide(quorum(3), as: "rita").count == 1)
        // A deactivated sales member does not count.
        try w.run(.actorDeactivate(id: "sid"), as: "rita")
        expectRefused(Rule.quorumWithinSales) { try w.decide(quorum(3), as: "rita") }
        #expect(try w.decide(quorum(2), as: "rita").count == 1)
        // Other settings change without the quorum in question.
        #expect(try w.decide(.policySet(quorum: nil, slaHours: 12, requireContext: nil, requireCampaignReview: nil), as: "rita").count == 1)
    }
}
