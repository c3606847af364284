import AlignmentDomain
import Foundation

// Kept states as the text a person reads (`align definition show`, `lead show`, `campaign show`), stored text shown
// through `Terminal.safe`.

extension AlignmentLedger {
    /// A lead definition (as of a business time) with only `version` among its versions when given;
    /// `DomainError.notFound` when it has no such version (then).
    public func definition(_ id: String, version: Int?, asOf: Date? = nil) throws -> DefinitionState {
        var d = try definition(id, asOf: asOf)
        guard let version else { return d }
        d.versions = d.versions.filter { $0.version == version }
        if d.versions.isEmpty { throw DomainError.notFound("lead definition '\(id)' has no version \(version)\(AlignmentLedger.asOfNote(asOf))") }
        return d
    }
}

extension DefinitionState {
    /// Its whole story: each version with its criteria, sign-offs, rejections and activations, each entry with its
    /// business time and when it was recorded (marked when backdated past `maxBackdateHours`).
    public func storyLines(maxBackdateHours hours: Int = Policy.defaultMaxBackdateHours) -> [String] {
        func date(_ d: Date) -> String { DomainTime.format(d) }
        func rec(_ at: Date, _ r: Date) -> String { " (\(TimeText.recorded(at, r, hours: hours)))" }
        var out = ["definition \(id)\(retired ? " (retired)" : "")  active: \(activeVersion.map { "v\($0)" } ?? "none")"]
        for v in versions {
            out += ["", "v\(v.version)  \(v.title)  proposed by \(v.author) at \(date(v.proposedAt))\(rec(v.proposedAt, v.proposedRecordedAt))"]
            out += v.fit.map { "    fit         \($0)" } + v.engagement.map { "    engagement  \($0)" }
            if let r = v.rationale { out.append("    rationale   \(r)") }
            out += v.signOffs.map { "    signed off  by \($0.actor) at \(date($0.at))\(rec($0.at, $0.recordedAt))\($0.text.map { ": \($0)" } ?? "")" }
            out += v.rejections.map { "    rejected    by \($0.actor) at \(date($0.at))\(rec($0.at, $0.recordedAt)): \($0.text ?? "")" }
            for a in activations where a.version == v.version {
                out.append("    active      from \(date(a.from))\(rec(a.from, a.recordedAt))\(a.until.map { " until \(date($0))" } ?? "")"
                    + "\(a.override.map { " (override: \($0.reason))" } ?? "")")
            }
        }
        return Terminal.safe(out)
    }

    /// `storyLines` with the default backdating window.
    public var storyLines: [String] { storyLines() }
}

extension LeadState {
    /// The lead with its handoff: profile, signals, campaign brief, score, note, override; the handoff and the decision
    /// with their business and recorded times.
    public func detailLines(maxBackdateHours hours: Int = Policy.defaultMaxBackdateHours) -> [String] {
        func date(_ d: Date) -> String { DomainTime.format(d) }
        func rec(_ at: Date?, _ r: Date?) -> String {
            guard let at, let r else { return "" }
            return " (\(TimeText.recorded(at, r, hours: hours)))"
        }
        var out = ["lead \(id)  [\(status.rawValue)]\(rejection.map { " reason \($0.rawValue)" } ?? "")"]
        guard let h = handoff else { return Terminal.safe(out) }
        out.append("  handed off by \(handedOffBy ?? "?") at \(handedOffAt.map(date) ?? "?")\(rec(handedOffAt, handedOffRecordedAt)) under '\(h.definition)' v\(h.definitionVersion)\(h.owner.map { ", owner \($0)" } ?? "")")
        if let d = decidedAt { out.append("  \(rejection == nil ? "accepted" : "rejected") at \(date(d))\(rec(d, decidedRecordedAt))") }
        out += h.profile.sorted { $0.key < $1.key }.map { "  profile   \($0.key) = \($0.value)" }
        out += h.signals.map { "  signal    \($0.name) at \(date($0.at))\($0.detail.map { ": \($0)" } ?? "")" }
        if let c = h.campaign { out.append("  campaign  \(c)") }
        if let b = h.brief { out += ["  brief v\(b.version): \(b.summary)"] + b.talkingPoints.map { "    - \($0)" } }
        if let s = h.score { out.append("  score     \(s)") }
        if let n = h.note { out.append("  note      \(n)") }
        out += LeadStory.importLines(h, indent: "  ")
        return Terminal.safe(out)
    }

    /// `detailLines` with the default backdating window.
    public var detailLines: [String] { detailLines() }
}

extension LeadStory {
    /// The whole story: the lead's status, then each cycle oldest first (the handoff with its definition version, owner,
    /// profile, signals, campaign and brief, or "no brief"; the decision with its decider, reason and note; the
    /// conversion with opportunity and amount; the recycle), each entry with its business and recorded times.
    public func detailLines(maxBackdateHours hours: Int = Policy.defaultMaxBackdateHours) -> [String] {
        func date(_ d: Date) -> String { DomainTime.format(d) }
        func rec(_ at: Date, _ r: Date) -> String { " (\(TimeText.recorded(at, r, hours: hours)))" }
        var out = ["lead \(state.id)  [\(state.status.rawValue)]\(state.rejection.map { " reason \($0.rawValue)" } ?? "")"
                   + (asOf.map { "  as of \(date($0))" } ?? "")]
        for (i, c) in cycles.enumerated() {
            let h = c.handoff
            let indent = cycles.count > 1 ? "    " : "  "
            if cycles.count > 1 { out.append("  cycle \(i + 1) of \(cycles.count)") }
            out.append("\(indent)handed off by \(c.handedOff.by) at \(date(c.handedOff.at))\(rec(c.handedOff.at, c.handedOff.recordedAt)) "
                       + "under '\(h.definition)' v\(h.definitionVersion)\(h.owner.map { ", owner \($0)" } ?? "")")
            out += h.profile.sorted { $0.key < $1.key }.map { "\(indent)profile   \($0.key) = \($0.value)" }
            out += h.signals.map { "\(indent)signal    \($0.name) at \(date($0.at))\($0.detail.map { ": \($0)" } ?? "")" }
            out += LeadStory.evaluationLines(h, indent: indent)
            if let campaign = h.campaign { out.append("\(indent)campaign  \(campaign)") }
            if let b = h.brief {
                out += ["\(indent)brief v\(b.version): \(b.summary)"] + b.talkingPoints.map { "\(indent)  - \($0)" }
                if let offer = b.offer { out.append("\(indent)  offer: \(offer)") }
            } else if c.noBrief {
                out.append("\(indent)brief     no brief: none of '\(h.campaign ?? "")' was published before the handoff")
            }
            if let s = h.score { out.append("\(indent)score     \(s)") }
            if let n = h.note { out.append("\(indent)note      \(n)") }
            out += LeadStory.importLines(h, indent: indent)
            if let d = c.decision {
                out.append("\(indent)\(d.outcome) by \(d.by) at \(date(d.at))\(rec(d.at, d.recordedAt))"
                           + (d.reason.map { ": \($0.rawValue)" } ?? "") + (d.note.map { (d.reason == nil ? ": " : ", note: ") + $0 } ?? ""))
            }
            if let v = c.conversion {
                let what = [v.opportunity.map { "opportunity \($0)" }, v.amount.map { "amount \(LeadStory.amount($0))" }].compactMap { $0 }
                out.append("\(indent)converted by \(v.by) at \(date(v.at))\(rec(v.at, v.recordedAt))" + (what.isEmpty ? "" : ": " + what.joined(separator: ", ")))
            }
            if let r = c.recycled { out.append("\(indent)recycled by \(r.by) at \(date(r.at))\(rec(r.at, r.recordedAt))") }
        }
        return Terminal.safe(out)
    }

    /// How the handoff met the criteria of its definition version: the verdict, then each criterion with what was seen.
    static func evaluationLines(_ h: LeadHandedOff, indent: String) -> [String] {
        guard let e = h.evaluation else { return ["\(indent)criteria  not evaluated (handed off before handoffs were evaluated)"] }
        let verdict = e.met ? "met: every criterion of '\(h.definition)' v\(h.definitionVersion)"
            : "NOT met: \(e.unmet.count) of \(e.criteria.count) criteria of '\(h.definition)' v\(h.definitionVersion) not met"
                + (e.offDefinition == .flag ? ", FLAGGED (policy off-definition flag)" : e.offDefinition == .allow ? " (policy off-definition allow)" : "")
                + (h.override == nil ? "" : h.source == nil ? ", forced by an override" : ", imported with a flag")
        return ["\(indent)criteria  \(verdict)"] + e.criteria.map { "\(indent)  \($0.kind == .fit ? "fit       " : "engagement") \($0.summary)" }
    }

    /// An amount as typed: whole numbers without decimals (48000), others with two (1250.50).
    static func amount(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : FixedPoint.format(v, places: 2)
    }
}

extension CampaignState {
    /// The campaign: audience, offer, channels, reviews, briefs, launch; each dated entry with its business and
    /// recorded times.
    public func detailLines(maxBackdateHours hours: Int = Policy.defaultMaxBackdateHours) -> [String] {
        func date(_ d: Date) -> String { DomainTime.format(d) }
        func rec(_ at: Date, _ r: Date) -> String { " (\(TimeText.recorded(at, r, hours: hours)))" }
        var out = ["campaign \(id): \(name)  [\(status.rawValue), revision \(revision)]"]
        if let a = audience { out.append("  audience  \(a)") }
        if let o = offer { out.append("  offer     \(o)") }
        if !channels.isEmpty { out.append("  channels  \(channels.joined(separator: ", "))") }
        if let d = launchDate { out.append("  launch    \(d)") }
        out += reviews.map { "  review    by \($0.actor) at \(date($0.at))\(rec($0.at, $0.recordedAt)): \($0.text ?? "")" }
        out += briefs.map { b in
            "  brief v\(b.version) at \(date(b.at))\(rec(b.at, b.recordedAt)) \(b.summary)\(b.talkingPoints.isEmpty ? "" : " — " + b.talkingPoints.joined(separator: "; "))"
        }
        if let l = launchedAt { out.append("  launched  \(date(l))\(rec(l, launchedRecordedAt ?? l))") }
        return Terminal.safe(out)
    }

    /// `detailLines` with the default backdating window.
    public var detailLines: [String] { detailLines() }
}

extension LeadStory {
    /// A handoff's override, and where an imported one comes from: a CRM import's flag is not a revops override, and
    /// says so.
    static func importLines(_ h: LeadHandedOff, indent: String) -> [String] {
        var out: [String] = []
        if let source = h.source { out.append("\(indent)imported  from \(source)") }
        if let o = h.override { out.append("\(indent)\(h.source == nil ? "OVERRIDE " : "FLAGGED  ") \(o.rule): \(o.reason)") }
        return out
    }
}
