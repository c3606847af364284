// The envelope JSON of an event: the streaming writer (export, `log --json`) and the one encoder of every other
// response (`LedgerJSON`) write the same bytes.
import Foundation
import Testing
@testable import AlignmentLedger

@Suite struct EventEnvelopeTests {
    @Test func theStreamingWriterAndTheEncoderAgree() throws {
        try withFixture { f in
            let events = try f.ledger.events(from: 1, limit: 1000)
            #expect(events.count > 10)
            for e in events {
                var line: [UInt8] = []
                EventEnvelope.appendLine(e, to: &line)
                #expect(line == (try LedgerJSON.encode(EventEnvelope(e))) + [10], "\(String(decoding: line, as: UTF8.self))")
            }
        }
    }

    @Test func csvFlattensThePayloadToDottedColumns() throws {
        let flat = Dictionary(uniqueKeysWithValues: CSVRows.flatten(Array(#"{"a":{"b":"x,y","c":2.5},"d":[1,"2"],"e":null,"f":true}"#.utf8)))
        #expect(flat == ["a.b": "x,y", "a.c": "2.5", "d": #"[1,"2"]"#, "e": "", "f": "true"])
        #expect(CSVRows.field("x,y") == "\"x,y\"" && CSVRows.field(#"say "hi""#) == #""say ""hi""""#)
    }
}
