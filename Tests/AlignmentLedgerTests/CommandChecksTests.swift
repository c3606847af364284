// Typed commands get the checks `Command.parse` makes: a number that is not finite never reaches the log (it once
// went in as a hollow `{}` payload).
import Foundation
import Testing
@testable import AlignmentDomain
@testable import AlignmentLedger

@Suite("AlignmentLedger: typed commands are checked")
struct CommandChecksTests {
    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func aConversionAmountThatIsNotFiniteIsRefusedAndWritesNothing(amount: Double) throws {
        let f = try Fixture(inMemory: ())
        try f.populate()
        let head = try f.ledger.head()
        #expect(throws: DomainError.self) { try f.run(.leadConvert(id: "L-1", opportunity: "OPP-1", amount: amount), as: "sam") }
        #expect(try f.ledger.head() == head)
        try f.run(.leadConvert(id: "L-1", opportunity: "OPP-1", amount: 1200), as: "sam")
        #expect(try f.ledger.head().position == head.position + 1)
    }

    @Test func anEventThatCannotBeWrittenIsRefusedNotHollowed() {
        let e = DomainEvent.leadConverted(LeadConverted(lead: "L-1", opportunity: nil, amount: .nan))
        #expect(throws: DomainError.self) { try e.canonicalPayload() }
    }
}
