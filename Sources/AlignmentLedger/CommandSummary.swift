import AlignmentDomain

extension CommandOutcome {
    /// One line saying what the command did ("signed off 'mql' v1"), or that it changed nothing; safe for a terminal.
    public var summary: String { Terminal.safe(rawSummary) }

    private var rawSummary: String {
        func override(_ o: Override?) -> String { o.map { " (OVERRIDE of rule \($0.rule): \($0.reason))" } ?? "" }
        let first = decided.first
        switch command {
        case .policySet:
            guard case .policyChanged(let e)? = first else { return "policy unchanged: it already has these values" }
            let p = e.policy
            return "policy: quorum \(p.quorum), sla-hours \(p.slaHours), require-context \(p.requireContext), require-campaign-review \(p.requireCampaignReview), max-backdate \(p.maxBackdateHours)h, off-definition \(p.offDefinition.rawValue), ad-hoc-content \(p.adHocContent.rawValue), signals \(p.signals.isEmpty ? "any" : p.signals.joined(separator: ","))"
        case .actorAdd(let id, _, let roles, let key):
            return "registered actor '\(id)' (\(roles.map(\.rawValue).joined(separator: ", ")))" + (key.map { " with key \($0.key.id)" } ?? ", no key yet")
        case .actorKeyAdd(let id, let key): return "registered key \(key.key.id) for '\(id)'"
        case .actorKeyRotate(let id, let key):
            let revoked = decided.compactMap { if case .actorKeyRevoked(let r) = $0 { r.keyID } else { nil } }
            return "registered key \(key.key.id) for '\(id)'; revoked \(revoked.joined(separator: ", "))"
        case .actorKeyRevoke(let id, let keyID, _): return "revoked key \(keyID) of '\(id)'"
        case .importRecords(let source, _, let n): return "import of \(n) command(s) from \(source) recorded"
        case .policyRequireSignatures:
            return decided.isEmpty ? "signatures were already required: nothing recorded"
                : "signatures required: from now on every event must be signed by its actor's key"
        case .actorRoles(let id, let roles): return "actor '\(id)' now has roles \(roles.map(\.rawValue).joined(separator: ", "))"
        case .actorDeactivate(let id): return "deactivated actor '\(id)'"
        case .definitionPropose(let id, _, _, _, _):
            guard case .definitionProposed(let p)? = first else { return "proposed" }
            return "proposed '\(id)' v\(p.version); sales can now sign it off: `align definition sign-off \(id) \(p.version)`"
        case .definitionSignOff(let id, let version, _): return "signed off '\(id)' v\(version)"
        case .definitionReject(let id, let version, _): return "rejected '\(id)' v\(version)"
        case .definitionActivate(let id, let version, _):
            guard case .definitionActivated(let e)? = first else { return "activated" }
            return "activated '\(id)' v\(version)" + (e.supersedes.map { ", superseding v\($0)" } ?? "") + override(e.override)
        case .definitionRetire(let id): return "retired '\(id)'"
        case .campaignDraft(let id, _, _, _, _, _):
            guard case .campaignDrafted(let e)? = first else { return "drafted" }
            return "drafted '\(id)' revision \(e.revision)"
        case .campaignRequestReview(let id): return "review of '\(id)' requested"
        case .campaignReview(let id, let approve, _): return approve ? "approved '\(id)'" : "requested changes to '\(id)'"
        case .campaignBrief(let id, _, _, _):
            guard case .campaignBriefPublished(let e)? = first else { return "published" }
            return "published brief v\(e.briefVersion) of '\(id)'"
        case .campaignLaunch(let id, _):
            guard case .campaignLaunched(let e)? = first else { return "launched" }
            return "launched '\(id)'" + override(e.override)
        case .campaignClose(let id): return "closed '\(id)'"
        case .leadHandoff(let a):
            guard case .leadHandedOff(let h)? = first else { return "handed off" }
            var s = "handed off '\(a.id)' under '\(h.definition)' v\(h.definitionVersion) with \(h.signals.count) signal(s)"
            if let c = h.campaign { s += "; campaign '\(c)'" + (h.brief.map { " brief v\($0.version) attached" } ?? " (no brief published yet)") }
            if let e = h.evaluation {
                s += e.met ? "; meets the definition" : "; does NOT meet the definition (\(e.unmet.map(\.summary).joined(separator: "; ")))"
                if e.offDefinition == .flag { s += " FLAGGED" }
            }
            return s + override(h.override)
        case .leadAccept(let id): return "accepted '\(id)'"
        case .leadReject(let id, let reason, _): return "rejected '\(id)' (\(reason.rawValue))"
        case .leadConvert(let id, _, _): return "converted '\(id)'"
        case .leadRecycle(let id): return "recycled '\(id)'"
        case .contentPlan(let asset, _, let stage, _): return "planned '\(asset)' for the \(stage.rawValue) stage"
        case .contentRequest(let id, _, _, _, _): return "requested '\(id)'"
        case .contentTriage(let id, _, _, _, _):
            for e in decided { if case .contentRequestTriaged(let t) = e { return "triaged '\(id)': \(t.outcome.rawValue)\(t.asset.map { " \($0)" } ?? "")" + override(t.override) } }
            return "triaged"
        case .contentFulfil(let id, _): return "fulfilled '\(id)'"
        }
    }
}
