// The real apply reader (`ApplyReader`, what `align apply` runs): what it takes, what it refuses, and that every
// bad line is reported by number.
import Foundation
import Testing
@testable import AlignmentLedger

@Suite struct ApplyReaderTests {
    func read(_ text: String, actor: String? = nil) throws -> [ApplyItem] {
        try ApplyReader.items(of: Array(text.utf8), defaultActor: actor, defaultAt: nil)
    }

    func refused(_ line: String, mentioning: String? = nil, _ sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try read(line, actor: "sam")
            Issue.record("accepted: \(line)", sourceLocation: sourceLocation)
        } catch let e as ApplyError {
            #expect(e.onlyMalformed, sourceLocation: sourceLocation)
            #expect(e.problems.map(\.line) == [1], sourceLocation: sourceLocation)
            if let mentioning { #expect(e.description.contains(mentioning), "\(e)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("\(line): \(error)", sourceLocation: sourceLocation)
        }
    }

    /// The cases the apply-line schema refuses (schemas/apply-line.schema.json), run through the real reader.
    @Test func applyLineSchemaRefusesWhatAlignRefuses() throws {
        let ok = try read(#"{"command":"lead.accept","as":"sam","at":"2026-03-01","args":{"id":"L-1"}}"#)
        #expect(ok.map(\.command) == [.leadAccept(id: "L-1")])
        #expect(ok.first?.actor == "sam")
        #expect(try read(#"{"command":"policy.set"}"#, actor: "rita").count == 1)
        refused(#"{"command":"lead.accept"}"#, mentioning: "'id'")
        refused(#"{"command":"lead.acept","args":{"id":"L-1"}}"#, mentioning: "unknown command")
        refused(#"{"command":"lead.accept","args":{"id":"L-1","owner":"sam"}}"#, mentioning: "'owner'")
        refused(#"{"command":"lead.accept","arg":{"id":"L-1"}}"#, mentioning: "unknown key \"arg\"")
        refused(#"{"command":"lead.reject","args":{"id":"L-1","reason":"meh"}}"#, mentioning: "meh")
        refused(#"{"command":"definition.sign-off","args":{"id":"mql","version":"two"}}"#, mentioning: "version")
        refused(#"{"command":"lead.accept","at":"yesterday","args":{"id":"L-1"}}"#, mentioning: "ISO 8601")
        refused(#"["lead.accept"]"#, mentioning: "JSON object")
        refused(#"{"command":"lead.accept","#, mentioning: "not a command line")
    }

    @Test func everyBadLineIsReportedByNumberAndCommentsAreSkipped() throws {
        let text = """
        # a comment
        {"command":"lead.accept","args":{"id":"L-1"}}

        {"command":"lead.accept"}
        \u{FEFF}{"command":"lead.accept","args":{"id":"L-2"}}
        {"command":"lead.accept","args":{"id":"L-3"}}
        nonsense
        """
        do {
            _ = try read(text, actor: "sam")
            Issue.record("accepted")
        } catch let e as ApplyError {
            #expect(e.problems.map(\.line) == [4, 7])
        }
        #expect(try read("# only\n{\"command\":\"lead.accept\",\"args\":{\"id\":\"L-1\"}}\n", actor: "sam").map(\.line) == [2])
    }

    @Test func anEmptyFileOrAMissingActorIsRefused() throws {
        #expect(throws: DomainError.self) { try read("# nothing\n\n", actor: "sam") }
        #expect(throws: ApplyError.self) { try read(#"{"command":"lead.accept","args":{"id":"L-1"}}"#) }
    }

    @Test func largeFilesAreReadInChunksInLineOrder() throws {
        let lines = (1...10_000).map { #"{"command":"lead.accept","args":{"id":"L-\#($0)"}}"# }
        let items = try read(lines.joined(separator: "\n"), actor: "sam")
        #expect(items.map(\.line) == Array(1...10_000))
        #expect(items.last?.command == .leadAccept(id: "L-10000"))
    }
}
