import AlignmentDomain
import AlignmentProjections

extension AlignmentLedger {
    /// A lead definition's kept state; `DomainError.notFound` when there is none.
    public func definition(_ id: String) throws -> DefinitionState {
        guard case .definition(let d)? = try state(of: StreamName.definition(id)), d.exists else {
            throw DomainError.notFound("no lead definition '\(id)'; see `align definition list`")
        }
        return d
    }

    /// A campaign's kept state; `DomainError.notFound` when there is none.
    public func campaign(_ id: String) throws -> CampaignState {
        guard case .campaign(let c)? = try state(of: StreamName.campaign(id)), c.exists else {
            throw DomainError.notFound("no campaign '\(id)'; see `align campaign list`")
        }
        return c
    }

    /// A lead's kept state; `DomainError.notFound` when there is none.
    public func lead(_ id: String) throws -> LeadState {
        guard case .lead(let l)? = try state(of: StreamName.lead(id)), l.status != .none else {
            throw DomainError.notFound("no lead '\(id)'; see `align lead list`")
        }
        return l
    }

    /// Every lead definition, by id.
    public func definitions() throws -> [DefinitionState] {
        try states(kind: "definition").compactMap { if case .definition(let d) = $0 { d } else { nil } }
    }

    /// Every campaign, by id.
    public func campaigns() throws -> [CampaignState] {
        try states(kind: "campaign").compactMap { if case .campaign(let c) = $0 { c } else { nil } }
    }

    /// Every lead, by id, only those in `status` if given.
    /// `owner`: only the leads handed to this salesperson; `open`: only those waiting for a decision (handed off,
    /// neither accepted nor rejected). In natural order of their ids (`L-2` before `L-11`).
    public func leads(status: LeadState.Status? = nil, owner: String? = nil, open: Bool = false) throws -> [LeadState] {
        try states(kind: "lead").compactMap { state -> LeadState? in
            guard case .lead(let l) = state, status == nil || l.status == status, owner == nil || l.handoff?.owner == owner,
                  !open || l.status == .handedOff else { return nil }
            return l
        }.sorted { NaturalOrder.less($0.id, $1.id) }
    }

    /// Every planned asset and content request, by id.
    public func content() throws -> [ContentState] {
        try states(kind: "content").compactMap { if case .content(let c) = $0 { c } else { nil } }
    }
}
