import AlignmentDomain
import Foundation

// Lists of kept states as text tables (`align definition list`, `campaign list`, `lead list`, `actor list`,
// `content list`, `policy show`).

/// Text tables of the kept states.
public enum ListText {
    /// Lead definitions: versions, the active one, status, latest title.
    public static func definitions(_ defs: [DefinitionState]) -> [String] {
        TextTable.lines(["ID", "VERSIONS", "ACTIVE", "STATUS", "LATEST TITLE"], defs.map { d in
            [d.id, String(d.versions.count), d.activeVersion.map { "v\($0)" } ?? "-", d.retired ? "retired" : "open", d.versions.last?.title ?? ""]
        })
    }

    /// Campaigns: status, revision, whether it is approved, briefs, name.
    public static func campaigns(_ cs: [CampaignState]) -> [String] {
        TextTable.lines(["ID", "STATUS", "REV", "APPROVED", "BRIEFS", "NAME"], cs.map { c in
            [c.id, c.status.rawValue, String(c.revision), c.approvedRevision == c.revision ? "yes" : "no", String(c.briefs.count), c.name]
        })
    }

    /// Leads: status, owner, definition, how the handoff met it (`met`, `2 of 3 not met`; `-` for a handoff recorded
    /// before evaluation), campaign and the brief it carried (`v2`, `no brief` when the campaign had published none
    /// before the handoff, `-` without a campaign), signals, when handed off; an open one (waiting for a decision)
    /// with its age as of `now` against the lead SLA (`slaHours`, when given).
    public static func leads(_ leads: [LeadState], now: Date = Date(), slaHours: Int? = nil) -> [String] {
        func waiting(_ since: Date) -> String {
            let hours = max(0, now.timeIntervalSince(since)) / 3600
            let h = FixedPoint.format(hours, places: 1) + "h"
            guard let slaHours else { return h }
            return hours > Double(slaHours) ? "\(h) PAST SLA \(slaHours)h" : "\(h) (SLA \(slaHours)h)"
        }
        return TextTable.lines(["ID", "STATUS", "OWNER", "DEFINITION", "EVALUATION", "CAMPAIGN", "BRIEF", "SIGNALS", "HANDED OFF", "WAITING"], leads.map { l in
            [l.id, l.status.rawValue, l.handoff?.owner ?? "-", l.handoff.map { "\($0.definition) v\($0.definitionVersion)" } ?? "-",
             l.handoff?.evaluation.map { $0.short + ($0.offDefinition == .flag ? ", flagged" : "") } ?? "-",
             l.handoff?.campaign ?? "-", l.handoff.map { h in h.brief.map { "v\($0.version)" } ?? (h.noBrief ? "no brief" : "-") } ?? "-",
             String(l.handoff?.signals.count ?? 0), l.handedOffAt.map(DomainTime.format) ?? "-",
             l.status == .handedOff ? l.handedOffAt.map(waiting) ?? "-" : "-"]
        })
    }

    /// People: name, roles, whether they may act.
    public static func actors(_ actors: [ActorInfo]) -> [String] {
        TextTable.lines(["ID", "NAME", "ROLES", "STATUS"], actors.map {
            [$0.id, $0.name, $0.roles.map(\.rawValue).joined(separator: ","), $0.active ? "active" : "deactivated"]
        })
    }

    /// An actor's keys, oldest first, with when each was registered and revoked (positions in the log).
    public static func keys(_ keys: [KeyRecord], of actor: String) -> [String] {
        guard !keys.isEmpty else { return ["'\(actor)' has no registered key; see `align key generate`"] }
        return TextTable.lines(["KEY ID", "STATUS", "REGISTERED", "BY", "REVOKED", "PUBLIC KEY"], keys.map {
            [$0.id, $0.active ? "active" : "revoked", "#\($0.registeredAt)", $0.registeredBy, $0.revokedAt.map { "#\($0)" } ?? "-", $0.publicKey]
        }) + keys.compactMap { k in k.revokeReason.map { "\(k.id) revoked: \($0)" } }
    }

    /// The content plan, then the requests with their triage.
    public static func content(_ all: [ContentState]) -> [String] {
        let plan = all.compactMap(\.asset)
        let requests = all.compactMap { c in c.request.map { (c, $0) } }
        return ["Plan (\(plan.count) assets)"]
            + TextTable.lines(["ASSET", "STAGE", "TITLE", "FROM REQUEST"], plan.map { [$0.asset, $0.stage.rawValue, $0.title, $0.fromRequest ?? "-"] })
            + ["", "Requests (\(requests.count))"]
            + TextTable.lines(["REQUEST", "STAGE", "TRIAGE", "FULFILLED", "WHAT"], requests.map { c, r in
                [c.id, r.stage.rawValue, c.triage.map { $0.outcome.rawValue + ($0.asset.map { " " + $0 } ?? "") } ?? "untriaged",
                 c.fulfilled == nil ? "no" : "yes", r.what]
            })
    }

    /// The policy in force, one setting a line.
    public static func policy(_ p: Policy, signaturesRequired: Bool) -> [String] {
        ["quorum                   \(p.quorum) sales sign-off(s) per definition version", "sla-hours                \(p.slaHours)",
         "require-context          \(p.requireContext)", "require-campaign-review  \(p.requireCampaignReview)",
         "max-backdate             \(p.maxBackdateHours) hours (business time before recording; more needs an override or an import)",
         "off-definition           \(p.offDefinition.rawValue) (a handoff that does not meet its definition is \(p.offDefinition == .refuse ? "refused unless revops overrides" : p.offDefinition == .flag ? "recorded and flagged" : "recorded"))",
         "ad-hoc-content           \(p.adHocContent.rawValue)\(p.adHocContent == .refuse ? " (triage outside the plan needs a revops override)" : "")",
         "signals                  \(p.signals.isEmpty ? "any name (no vocabulary: `align policy signal add NAME`)" : p.signals.joined(separator: ", "))",
         "signatures               \(signaturesRequired ? "required: every event is signed by its actor's key" : "not required (an unsigned ledger: `align policy require-signatures`)")"]
    }
}
