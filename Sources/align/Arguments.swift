import AlignmentLedger
import ArgumentParser

// Options with a fixed set of values take the service's enums, so `--help` lists them and a bad value is refused
// while parsing.
extension Role: ExpressibleByArgument {}
extension Stage: ExpressibleByArgument {}
extension RejectionReason: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {}
extension ProjectionName: ExpressibleByArgument {}
extension Scorecard.Period: ExpressibleByArgument {}
/// The statuses a lead can be listed by.
enum LeadStatus: String, ExpressibleByArgument, CaseIterable {
    case handedOff = "handed-off", accepted, rejected, converted, recycled
    var status: LeadState.Status? { LeadState.Status(rawValue: rawValue) }
}
