// Separation of duties: nobody approves their own work or changes their own access. A definition's author cannot
// sign it off (`Rule.noSelfSignOff`), a campaign draft's author cannot review it, whoever handed off a lead cannot
// accept or reject it, nobody changes their own roles or deactivates themselves, and the sign-off quorum counts only
// sales members who may still approve (and cannot be set beyond how many there are).

extension Rule {
    /// The author of a campaign's latest draft cannot review it (approve it or request changes).
    public static let noSelfReview = "no-self-review"
    /// Whoever handed off a lead cannot accept or reject it.
    public static let noVerdictOnOwnHandoff = "no-verdict-on-own-handoff"
    /// Nobody changes their own roles or deactivates themselves; another revops member does it.
    public static let noSelfRoleChange = "no-self-role-change"
    /// The sign-off quorum cannot exceed the number of active sales members.
    public static let quorumWithinSales = "quorum-within-sales"
}

extension Rules {
    /// Active actors holding `role`, sorted, but `except`.
    func active(_ role: Role, except: String? = nil) -> [String] {
        ledger.actors.values.filter { $0.active && $0.roles.contains(role) && $0.id != except }.map(\.id).sorted()
    }

    /// "sam, sofia", or "none".
    private func list(_ ids: [String]) -> String { ids.isEmpty ? "none" : ids.joined(separator: ", ") }

    /// Refuses a change to `id`'s roles or activity made by `id` themselves; another active revops member must make it
    /// (an override would not lift this: it would come from the same actor).
    func checkNotOwnAccess(_ id: String, _ what: String, _ command: String) throws {
        guard id == ctx.actor else { return }
        let others = active(.revops, except: id)
        let who = others.isEmpty
            ? "there is no other active revops member yet: add one with `align actor add ID --name NAME --role revops`, who can then run `\(command)`"
            : "another revops member (\(list(others))) must run `\(command)`"
        throw refuse(Rule.noSelfRoleChange, "'\(id)' cannot \(what); \(who)")
    }

    /// Refuses a quorum that more sales members would be needed to meet than there are active ones.
    func checkQuorumWithinSales(_ quorum: Int) throws {
        let sales = active(.sales)
        guard quorum > sales.count else { return }
        let way = sales.isEmpty
            ? "there are no active sales members; add them with `align actor add ID --name NAME --role sales` first"
            : "there \(sales.count == 1 ? "is 1 active sales member" : "are \(sales.count) active sales members") (\(list(sales))); add sales members first, or set --quorum \(sales.count) or less"
        throw refuse(Rule.quorumWithinSales, "a quorum of \(quorum) sales sign-offs could never be met: \(way)")
    }

    /// The sign-offs of `v` that count toward the quorum now: by actors still active and still holding `sales` (each
    /// actor once), and a note naming those that no longer count, for the refusal.
    func countedSignOffs(_ v: DefinitionVersion) -> (count: Int, note: String) {
        var counted: Set<String> = []
        var dropped: [String] = []
        for s in v.signOffs where !counted.contains(s.actor) {
            guard let a = ledger.actors[s.actor] else { dropped.append("\(s.actor)'s (not an actor)"); continue }
            if !a.active { dropped.append("\(s.actor)'s (deactivated)") }
            else if !a.roles.contains(.sales) { dropped.append("\(s.actor)'s (no longer sales)") }
            else { counted.insert(s.actor) }
        }
        return (counted.count, dropped.isEmpty ? "" : "; no longer counted: " + dropped.joined(separator: ", "))
    }

    /// Refuses a review of a campaign by the author of its latest draft.
    func checkNotDraftAuthor(_ c: CampaignState) throws {
        guard let author = c.draftedBy, author == ctx.actor else { return }
        let others = active(.sales, except: author)
        throw refuse(Rule.noSelfReview, "'\(author)' drafted campaign '\(c.id)' revision \(c.revision) and cannot review it; "
            + (others.isEmpty ? "add a sales member who did not draft it to review it"
                              : "ask another sales member (\(list(others))) to run `align campaign review \(c.id) --approve` or `--request-changes`"))
    }

    /// Refuses an acceptance or rejection of a lead by whoever handed it off.
    func checkNotHandoffAuthor(_ l: LeadState, _ verb: String) throws {
        guard let by = l.handedOffBy, by == ctx.actor else { return }
        let owner = l.handoff?.owner.flatMap { $0 == by ? nil : $0 }
        let others = active(.sales, except: by)
        throw refuse(Rule.noVerdictOnOwnHandoff, "'\(by)' handed off lead '\(l.id)' and cannot \(verb) it; "
            + (owner.map { "its owner '\($0)' or another sales member should run `align lead \(verb) \(l.id)`" }
                ?? (others.isEmpty ? "add a sales member who did not hand it off" : "ask another sales member (\(list(others))) to run `align lead \(verb) \(l.id)`")))
    }
}
