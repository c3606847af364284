import AlignmentLedger
import ArgumentParser

// Options with a fixed set of values take the service's enums, so `--help` lists them and a bad value is refused
// while parsing.
extension Role: Choice {}
extension Stage: Choice {}
extension RejectionReason: Choice {}
extension ExportFormat: Choice {}
extension ProjectionName: Choice {}
extension Scorecard.Period: Choice {}
extension OffDefinitionPolicy: Choice {}
extension AdHocContentPolicy: Choice {}

/// An option's fixed set of values, named by their raw values.
///
/// The same lists ArgumentParser's defaults give, without their cost: those build a key path
/// (`\.rawValue.defaultValueDescription`) and walk generic witnesses on every start, 0.3 ms of a 10 ms
/// `align scorecard` in the static binary (perf record, 2026-12-07).
protocol Choice: ExpressibleByArgument, CaseIterable, RawRepresentable where RawValue == String {}

extension Choice {
    public static var allValueStrings: [String] { allCases.map { $0.rawValue } }
    /// Empty: every value's description is its name.
    public static var allValueDescriptions: [String: String] { [:] }
}

/// The statuses a lead can be listed by.
enum LeadStatus: String, Choice {
    case handedOff = "handed-off", accepted, rejected, converted, recycled
    var status: LeadState.Status? { LeadState.Status(rawValue: rawValue) }
}
