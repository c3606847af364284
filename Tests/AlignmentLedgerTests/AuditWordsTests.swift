// Audit lines say in words what each event did (issue 13, item 8): "signed off definition mql v3", never the raw type
// name, and a published brief shows its content (summary, talking points, offer).
import Foundation
import Testing
@testable import AlignmentDomain
@testable import AlignmentLedger
import EventLog

@Suite("AlignmentLedger: audit lines in words")
struct AuditWordsTests {
    /// `event` as stored at position 1 of its stream, by `actor`.
    func recorded(_ event: DomainEvent, actor: String = "sam") throws -> RecordedEvent {
        let t = Timestamp(ledgerT0)
        return RecordedEvent(position: 1, id: UUID(), stream: event.stream, version: 1, type: event.type, schemaVersion: UInt16(event.schemaVersion),
                             recordedAt: t, occurredAt: t, actor: actor, correlationID: nil, causationID: nil, payload: event.payload(), signature: [],
                             hash: try #require(ChainHash(hex: String(repeating: "ab", count: 32))))
    }

    /// One event of every type this build knows, with what the line must say.
    func everyType() throws -> [(DomainEvent, String)] {
        let override = Override(reason: "deadline", rule: "sign-off-quorum")
        return [
            (.ledgerInitialized(LedgerInitialized(admin: "rita", name: "Rita")), "created the ledger with revops admin rita"),
            (.actorRegistered(ActorRegistered(actor: "sam", name: "Sam", roles: [.sales])), "registered actor sam (Sam) with roles sales"),
            (.actorRolesChanged(ActorRolesChanged(actor: "sam", roles: [.sales, .viewer])), "gave actor sam roles sales, viewer"),
            (.actorDeactivated(ActorDeactivated(actor: "sam")), "deactivated actor sam"),
            (.policyChanged(PolicyChanged(policy: Policy())),
             "set the policy: quorum 1, sla-hours 24, require-context true, require-campaign-review true, max-backdate 72h, off-definition refuse, "
                + "ad-hoc-content refuse, signals any"),
            (.actorKeyRegistered(ActorKeyRegistered(actor: "sam", keyID: "3f2a9c0e5b7d1a64", publicKey: "ed25519:x", proof: "p")),
             "registered key 3f2a9c0e5b7d1a64 for actor sam"),
            (.actorKeyRevoked(ActorKeyRevoked(actor: "sam", keyID: "3f2a9c0e5b7d1a64", reason: "laptop lost")),
             "revoked key 3f2a9c0e5b7d1a64 of actor sam: laptop lost"),
            (.signaturesRequired(SignaturesRequired(scheme: "ed25519")), "required every event to be signed"),
            (.recordsImported(RecordsImported(source: "crm.csv", reason: "migration", commands: 3)), "imported 3 command(s) from crm.csv: migration"),
            (.definitionProposed(LeadDefinitionProposed(definition: "mql", version: 3, title: "MQL", fit: [try Criterion.parse("employees>=200")],
                                                        engagement: [], rationale: nil)), "proposed definition mql v3 \"MQL\": fit employees>=200"),
            (.definitionSignedOff(LeadDefinitionSignedOff(definition: "mql", version: 3, comment: "fits")), "signed off definition mql v3: fits"),
            (.definitionRejected(LeadDefinitionRejected(definition: "mql", version: 3, reason: "too broad")), "rejected definition mql v3: too broad"),
            (.definitionActivated(LeadDefinitionActivated(definition: "mql", version: 3, signOffs: 1, quorum: 2, supersedes: 2, override: override)),
             "activated definition mql v3 with 1/2 sales sign-offs, superseding v2; OVERRIDE of sign-off-quorum: deadline"),
            (.definitionRetired(LeadDefinitionRetired(definition: "mql", version: 3)), "retired definition mql (v3 was active)"),
            (.campaignDrafted(CampaignDrafted(campaign: "q3", revision: 2, name: "Q3", audience: "RevOps", offer: nil, channels: [], launchDate: nil)),
             "drafted campaign q3 revision 2 \"Q3\" for RevOps"),
            (.campaignReviewRequested(CampaignReviewRequested(campaign: "q3", revision: 2)), "asked sales to review campaign q3 revision 2"),
            (.campaignReviewed(CampaignReviewed(campaign: "q3", revision: 2, approved: false, comment: "wrong audience")),
             "requested changes to campaign q3 revision 2: wrong audience"),
            (.campaignBriefPublished(CampaignBriefPublished(campaign: "q3", briefVersion: 1, summary: "Pricing webinar",
                                                            talkingPoints: ["ask about the audit", "offer a demo"], offer: "free audit")),
             "published brief v1 of campaign q3: \"Pricing webinar\"; talking points: \"ask about the audit\", \"offer a demo\"; offer: free audit"),
            (.campaignLaunched(CampaignLaunched(campaign: "q3", revision: 2, reviewed: true, override: nil)), "launched campaign q3 revision 2 (reviewed)"),
            (.campaignClosed(CampaignClosed(campaign: "q3")), "closed campaign q3"),
            (.leadHandedOff(LeadHandedOff(lead: "L-1", definition: "mql", definitionVersion: 3, campaign: "q3", owner: "sam", profile: [:],
                                          signals: [Signal(name: "webinar.attended", at: ledgerT0)])),
             "handed off lead L-1 under definition mql v3 with 1 signal(s) to sam; campaign q3, no brief"),
            (.leadHandedOff(LeadHandedOff(lead: "L-2", definition: "mql", definitionVersion: 3, profile: ["employees": "5"], signals: [],
                                          evaluation: HandoffEvaluation(met: false, criteria: [CriterionResult(criterion: "employees>=200", kind: .fit,
                                                                                                               outcome: .failed, observed: "5")],
                                                                        offDefinition: .flag))),
             "handed off lead L-2 under definition mql v3 with 0 signal(s); does NOT meet the definition (employees>=200: failed (was 5)), FLAGGED"),
            (.leadAccepted(LeadAccepted(lead: "L-1")), "accepted lead L-1"),
            (.leadRejected(LeadRejected(lead: "L-1", reason: .notICP, note: "an agency")), "rejected lead L-1: not-icp, note: an agency"),
            (.leadConverted(LeadConverted(lead: "L-1", opportunity: "OPP-7", amount: 1250.5)), "converted lead L-1: opportunity OPP-7, amount 1250.50"),
            (.leadRecycled(LeadRecycled(lead: "L-1")), "recycled lead L-1 to marketing"),
            (.contentPlanned(ContentPlanned(asset: "roi", title: "ROI calculator", stage: .decision)), "planned content roi \"ROI calculator\" for the decision stage"),
            (.contentRequested(ContentRequested(request: "REQ-1", what: "case study", why: nil, stage: .decision, lead: "L-1")),
             "requested content REQ-1 for the decision stage: \"case study\", for lead L-1"),
            (.contentRequestTriaged(ContentRequestTriaged(request: "REQ-1", outcome: .declined, reason: "covered by roi")),
             "triaged content request REQ-1: declined: covered by roi"),
            (.contentRequestFulfilled(ContentRequestFulfilled(request: "REQ-1", asset: "roi")), "fulfilled content request REQ-1 with roi"),
        ]
    }

    @Test func everyTypeIsSaidInWords() throws {
        let cases = try everyType()
        #expect(Set(cases.map(\.0.type)) == Set(DomainEvent.types.map(\.name)), "one case per event type this build knows")
        for (event, words) in cases {
            let line = AlignmentLedger.describe(try recorded(event))
            #expect(line.hasPrefix(words), "\(event.type): \(line)")
            #expect(!line.contains(event.type), "\(event.type) is printed raw: \(line)")
        }
    }

    @Test func anUnknownTypeIsNamedByItsType() throws {
        var e = try recorded(.leadAccepted(LeadAccepted(lead: "L-1")))
        e.type = "LeadTeleported"
        #expect(AlignmentLedger.describe(e) == "LeadTeleported on lead/L-1")
    }

    @Test func auditTrailsOfTheLedgerSayWhatHappened() throws {
        try withFixture { f in
            let lines = try f.ledger.auditStream(StreamName.campaign("q3")).lines
            #expect(lines.contains { $0.hasSuffix("maria  published brief v1 of campaign q3: \"Pricing webinar\"; talking points: \"ask about the audit\"; offer: audit") },
                    "\(lines)")
            let story = try f.ledger.auditDefinition("mql").lines
            #expect(story.contains { $0.hasSuffix("sam  signed off definition mql v1: ok") }, "\(story)")
        }
    }
}
