import JSONCore

extension Command {
    /// Checks what a typed command's arguments cannot say by their types (the checks `parse` makes as it reads):
    /// ids are valid, required texts are not blank and at most 10,000 bytes, roles are given, an override has a reason,
    /// and no text holds what a terminal would act on or hide (`SafeText`: names are one printable line, free text
    /// may also hold newlines and tabs).
    public func check() throws(DomainError) {
        let command = name
        func text(_ s: String, _ key: String) throws(DomainError) {
            guard !Args.isBlank(s) else { throw .invalid("\(command) needs '\(key)' (--\(key) on the command line)") }
            guard s.utf8.count <= 10_000 else { throw .invalid("\(command): argument '\(key)' must be at most 10000 bytes") }
        }
        func roles(_ r: [Role]) throws(DomainError) {
            guard !r.isEmpty else { throw .invalid("\(command) needs at least one --role (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))") }
        }
        if let o = overrideReason, Args.isBlank(o) {
            throw .invalid("\(command) --override needs --reason TEXT saying why the rule is set aside")
        }
        switch self {
        case .actorAdd(let id, let n, let r, let key):
            try checkID(id, "actor"); try text(n, "name"); try roles(r)
            try key?.check(actor: id)
        case .actorKeyAdd(let id, let key), .actorKeyRotate(let id, let key): try checkID(id, "actor"); try key.check(actor: id)
        case .actorKeyRevoke(let id, let keyID, _): try checkID(id, "actor"); try text(keyID, "key-id")
        case .policyRequireSignatures: break
        case .importRecords(let source, let reason, let n):
            try text(source, "source"); try text(reason, "reason")
            guard n >= 1 else { throw .invalid("\(command): 'commands' must be at least 1") }
        case .actorRoles(let id, let r): try checkID(id, "actor"); try roles(r)
        case .actorDeactivate(let id): try checkID(id, "actor")
        case .policySet(_, _, _, _, _, _, _, let add, let remove):
            for name in add + remove { try Signal.checkName(name) }
        case .definitionPropose(let id, let title, let fit, let engagement, _):
            try checkID(id, "definition"); try text(title, "title")
            for c in fit { try c.checkFit() }
            for c in engagement { try c.checkEngagement() }
        case .definitionSignOff(let id, _, _), .definitionActivate(let id, _, _), .definitionRetire(let id): try checkID(id, "definition")
        case .definitionReject(let id, _, let reason): try checkID(id, "definition"); try text(reason, "reason")
        case .campaignDraft(let id, let n, _, _, _, let launch):
            try checkID(id, "campaign"); try text(n, "name")
            if let launch, DomainTime.parse(launch) == nil { throw .invalid("\(command): argument 'launch-date' must be an ISO 8601 date such as 2026-03-01") }
        case .campaignRequestReview(let id), .campaignReview(let id, _, _), .campaignLaunch(let id, _), .campaignClose(let id):
            try checkID(id, "campaign")
        case .campaignBrief(let id, let summary, _, _): try checkID(id, "campaign"); try text(summary, "summary")
        case .leadHandoff(let h):
            try checkID(h.id, "lead"); try checkID(h.definition, "definition")
            if let c = h.campaign { try checkID(c, "campaign") }
            if let o = h.owner { try checkID(o, "owner (actor)") }
            if let s = h.score, !s.isFinite { throw .invalid("\(command): argument 'score' must be a finite number") }
        case .leadAccept(let id), .leadReject(let id, _, _), .leadRecycle(let id): try checkID(id, "lead")
        case .leadConvert(let id, let opportunity, let amount):
            try checkID(id, "lead")
            if let opportunity { try checkID(opportunity, "opportunity") }
            if let amount, !(amount.isFinite && amount >= 0) { throw .invalid("\(command): argument 'amount' must be a finite number, not negative") }
        case .contentPlan(let asset, let title, _, _): try checkID(asset, "asset"); try text(title, "title")
        case .contentRequest(let id, let what, _, let lead, _):
            try checkID(id, "request"); try text(what, "what")
            if let lead { try checkID(lead, "lead") }
        case .contentTriage(let id, let outcome, let asset, let reason, let override):
            try checkID(id, "request")
            if let asset { try checkID(asset, "asset") }
            if (outcome == .declined || outcome == .adHoc) && Args.isBlank(reason ?? "") {
                throw .invalid("content.triage --\(outcome == .declined ? "decline" : "ad-hoc") needs --reason TEXT")
            }
            if let override, Args.isBlank(override) { throw .invalid("content.triage --override needs --reason TEXT saying why the rule is set aside") }
        case .contentFulfil(let id, let asset): try checkID(id, "request"); if let asset { try checkID(asset, "asset") }
        }
        try checkTexts()
    }
}

extension HandoffArgs {
    /// A profile from `KEY=VALUE` pairs, as `parse` reads a list of them.
    public static func profile(_ pairs: [String]) throws(DomainError) -> [String: String] {
        var a = Args(command: "lead.handoff", values: ["profile": .array(pairs.map(JSONValue.string))])
        return try a.profile()
    }
}
