public import AlignmentDomain
public import AlignmentProjections
public import EventLog
public import EventLogLMDB

// The words a front end needs, named by the service so that a front end imports `AlignmentLedger` only.
// (`EventLog::` selects the module: its class has the same name.)

/// How a ledger on disk is opened: read-write, or read only (with or without its lock file).
public typealias LedgerAccess = EventLogLMDB::LedgerAccess
/// Something a person asks the ledger to do.
public typealias Command = AlignmentDomain::Command
/// A lead handoff's arguments.
public typealias HandoffArgs = AlignmentDomain::HandoffArgs
/// A role an actor holds.
public typealias Role = AlignmentDomain::Role
/// A buy-cycle stage of content.
public typealias Stage = AlignmentDomain::Stage
/// Why sales rejected a lead.
public typealias RejectionReason = AlignmentDomain::RejectionReason
/// What a content request's triage decided.
public typealias TriageOutcome = AlignmentDomain::TriageOutcome
public typealias OffDefinitionPolicy = AlignmentDomain::OffDefinitionPolicy
public typealias AdHocContentPolicy = AlignmentDomain::AdHocContentPolicy
public typealias HandoffEvaluation = AlignmentDomain::HandoffEvaluation
public typealias CriterionResult = AlignmentDomain::CriterionResult
/// A fit or engagement criterion of a lead definition.
public typealias Criterion = AlignmentDomain::Criterion
/// A behavioural signal carried by a handoff.
public typealias Signal = AlignmentDomain::Signal
/// Why the ledger refused a command (a rule, a missing thing or bad input).
public typealias DomainError = AlignmentDomain::DomainError
/// The names of the rules that refuse commands (`DomainError.refused(rule:message:)`).
public typealias Rule = AlignmentDomain::Rule
/// A domain event, as decided.
public typealias DomainEvent = AlignmentDomain::DomainEvent
/// The kept state of one stream.
public typealias EntityState = AlignmentProjections::EntityState
/// A lead definition's state.
public typealias DefinitionState = AlignmentDomain::DefinitionState
/// The ledger stream's state: actors and policy.
public typealias LedgerState = AlignmentDomain::LedgerState
/// Stream names of the domain.
public typealias StreamName = AlignmentDomain::StreamName
/// ISO 8601 times as the domain reads and writes them.
public typealias DomainTime = AlignmentDomain::DomainTime
/// The alignment scorecard.
public typealias Scorecard = AlignmentProjections::Scorecard
/// One row of the scorecard.
public typealias ScorecardRow = AlignmentProjections::ScorecardRow
/// A ratio with its counts.
public typealias Ratio = AlignmentProjections::Ratio
/// An event as read back from the log, with its position, envelope and hash.
public typealias RecordedEvent = EventLog::RecordedEvent
/// A position of the log and the chain hash there (`POSITION:HASH`).
public typealias Checkpoint = EventLog::Checkpoint
/// What `verify` found.
public typealias VerifyReport = EventLog::VerifyReport
/// Counts and size of a ledger.
public typealias LedgerStats = EventLog::Stats
/// A campaign's state.
public typealias CampaignState = AlignmentDomain::CampaignState
/// A lead's state.
public typealias LeadState = AlignmentDomain::LeadState
/// A content request's or asset's state.
public typealias ContentState = AlignmentDomain::ContentState
/// A public key to register, with its proof of possession.
public typealias KeyGrant = AlignmentDomain::KeyGrant
/// An actor's Ed25519 public key.
public typealias PublicKey = AlignmentDomain::PublicKey
/// A registered key in the ledger's state.
public typealias KeyRecord = AlignmentDomain::KeyRecord
/// Base64url without padding: keys, proofs and signatures as text.
public typealias Base64URL = AlignmentDomain::Base64URL
/// One version of a lead definition, with its criteria and verdicts (the web pages show them).
public typealias DefinitionVersion = AlignmentDomain::DefinitionVersion
/// A sign-off, rejection or review: who, when, what.
public typealias Verdict = AlignmentDomain::Verdict
/// A campaign brief as its campaign keeps it.
public typealias Brief = AlignmentDomain::Brief
/// A handoff as recorded: profile, signals, campaign brief, evaluation.
public typealias LeadHandedOff = AlignmentDomain::LeadHandedOff
