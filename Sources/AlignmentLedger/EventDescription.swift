import AlignmentDomain
import EventLog

extension AlignmentLedger {
    /// One line saying in words what an event did, as audit answers print it ("signed off definition mql v2: matches
    /// our ICP"), with what it carried that a reader needs (a brief's summary and talking points, a rejection's note);
    /// its stored text is made safe for a terminal. An event of a type this build does not know is named by its type.
    public static func describe(_ e: RecordedEvent) -> String { Terminal.safe(describeRaw(e)) }

    private static func describeRaw(_ e: RecordedEvent) -> String {
        func override(_ o: Override?) -> String { o.map { "; OVERRIDE of \($0.rule): \($0.reason)" } ?? "" }
        func quoted(_ s: String) -> String { "\"\(s)\"" }
        func roles(_ r: [Role]) -> String { r.isEmpty ? "no roles" : r.map(\.rawValue).joined(separator: ", ") }
        switch decoded(e) {
        // ledger
        case .ledgerInitialized(let x)?: return "created the ledger with revops admin \(x.admin) (\(x.name))"
        case .actorRegistered(let x)?: return "registered actor \(x.actor) (\(x.name)) with roles \(roles(x.roles))"
        case .actorRolesChanged(let x)?: return "gave actor \(x.actor) roles \(roles(x.roles))"
        case .actorDeactivated(let x)?: return "deactivated actor \(x.actor)"
        case .policyChanged(let x)?:
            let p = x.policy
            return "set the policy: quorum \(p.quorum), sla-hours \(p.slaHours), require-context \(p.requireContext), "
                + "require-campaign-review \(p.requireCampaignReview), max-backdate \(p.maxBackdateHours)h, off-definition \(p.offDefinition.rawValue), "
                + "ad-hoc-content \(p.adHocContent.rawValue), signals \(p.signals.isEmpty ? "any" : p.signals.joined(separator: ","))"
        case .actorKeyRegistered(let x)?: return "registered key \(x.keyID) for actor \(x.actor)" + (x.replaces.map { ", replacing key \($0)" } ?? "")
        case .actorKeyRevoked(let x)?: return "revoked key \(x.keyID) of actor \(x.actor)" + (x.reason.map { ": \($0)" } ?? "")
        case .signaturesRequired?: return "required every event to be signed by its actor's key"
        case .recordsImported(let x)?: return "imported \(x.commands) command(s) from \(x.source): \(x.reason)"
        // definition/<id>
        case .definitionProposed(let x)?:
            let criteria = (x.fit.map { "fit \($0)" } + x.engagement.map { "engagement \($0)" }).joined(separator: ", ")
            return "proposed definition \(x.definition) v\(x.version) \(quoted(x.title))" + (criteria.isEmpty ? "" : ": \(criteria)")
        case .definitionSignedOff(let x)?: return "signed off definition \(x.definition) v\(x.version)\(x.comment.map { ": \($0)" } ?? "")"
        case .definitionRejected(let x)?: return "rejected definition \(x.definition) v\(x.version): \(x.reason)"
        case .definitionActivated(let x)?:
            return "activated definition \(x.definition) v\(x.version) with \(x.signOffs)/\(x.quorum) sales sign-offs"
                + (x.supersedes.map { ", superseding v\($0)" } ?? "") + override(x.override)
        case .definitionRetired(let x)?: return "retired definition \(x.definition)" + (x.version.map { " (v\($0) was active)" } ?? "")
        // campaign/<id>
        case .campaignDrafted(let x)?:
            return "drafted campaign \(x.campaign) revision \(x.revision) \(quoted(x.name))" + (x.audience.map { " for \($0)" } ?? "")
                + (x.offer.map { ", offer: \($0)" } ?? "")
        case .campaignReviewRequested(let x)?: return "asked sales to review campaign \(x.campaign) revision \(x.revision)"
        case .campaignReviewed(let x)?:
            return "\(x.approved ? "approved" : "requested changes to") campaign \(x.campaign) revision \(x.revision)" + (x.comment.map { ": \($0)" } ?? "")
        case .campaignBriefPublished(let x)?:
            return "published brief v\(x.briefVersion) of campaign \(x.campaign): \(quoted(x.summary))"
                + (x.talkingPoints.isEmpty ? "" : "; talking points: " + x.talkingPoints.map(quoted).joined(separator: ", "))
                + (x.offer.map { "; offer: \($0)" } ?? "")
        case .campaignLaunched(let x)?:
            return "launched campaign \(x.campaign) revision \(x.revision)\(x.reviewed ? " (reviewed)" : " (NOT reviewed)")" + override(x.override)
        case .campaignClosed(let x)?: return "closed campaign \(x.campaign)"
        // lead/<id>
        case .leadHandedOff(let x)?:
            var s = "handed off lead \(x.lead) under definition \(x.definition) v\(x.definitionVersion) with \(x.signals.count) signal(s)"
            if let owner = x.owner { s += " to \(owner)" }
            if let c = x.campaign { s += "; campaign \(c), " + (x.brief.map { "brief v\($0.version) attached" } ?? "no brief") }
            if let e = x.evaluation {
                s += e.met ? "; meets the definition" : "; does NOT meet the definition (\(e.unmet.map(\.summary).joined(separator: "; ")))"
                if e.offDefinition == .flag { s += ", FLAGGED" }
            }
            return s + override(x.override)
        case .leadAccepted(let x)?: return "accepted lead \(x.lead)"
        case .leadRejected(let x)?: return "rejected lead \(x.lead): \(x.reason.rawValue)" + (x.note.map { ", note: \($0)" } ?? "")
        case .leadConverted(let x)?:
            let what = [x.opportunity.map { "opportunity \($0)" }, x.amount.map { "amount \(LeadStory.amount($0))" }].compactMap { $0 }
            return "converted lead \(x.lead)" + (what.isEmpty ? "" : ": " + what.joined(separator: ", "))
        case .leadRecycled(let x)?: return "recycled lead \(x.lead) to marketing"
        // content/<id>
        case .contentPlanned(let x)?:
            return "planned content \(x.asset) \(quoted(x.title)) for the \(x.stage.rawValue) stage" + (x.persona.map { ", persona \($0)" } ?? "")
                + (x.fromRequest.map { ", from request \($0)" } ?? "")
        case .contentRequested(let x)?:
            return "requested content \(x.request) for the \(x.stage.rawValue) stage: \(quoted(x.what))" + (x.lead.map { ", for lead \($0)" } ?? "")
                + (x.why.map { ", because \($0)" } ?? "")
        case .contentRequestTriaged(let x)?:
            let outcome: String
            switch x.outcome {
            case .mapped: outcome = "mapped to planned asset \(x.asset ?? "?")"
            case .addedToPlan: outcome = "added to the plan as \(x.asset ?? "?")"
            case .declined: outcome = "declined"
            case .adHoc: outcome = "made ad hoc, outside the plan"
            }
            return "triaged content request \(x.request): \(outcome)" + (x.reason.map { ": \($0)" } ?? "") + override(x.override)
        case .contentRequestFulfilled(let x)?: return "fulfilled content request \(x.request)" + (x.asset.map { " with \($0)" } ?? "")
        case nil: return "\(e.type) on \(e.stream)"
        }
    }
}
