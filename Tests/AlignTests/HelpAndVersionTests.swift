// `--help` of every command has examples that paste as printed on an 80-column terminal; `--version` names the
// commit the binary was built from.
import Foundation
import Testing

@Suite("align help and version")
struct HelpAndVersionTests {
    static let commands: [[String]] = [
        [], ["demo"], ["init"], ["apply"], ["state"], ["scorecard"], ["export"], ["replay"], ["log"], ["verify"], ["stats"], ["serve"], ["sign"],
    ] + ["add", "roles", "deactivate", "list"].map { ["actor", $0] } + ["show", "set"].map { ["policy", $0] }
        + ["propose", "sign-off", "reject", "activate", "retire", "show", "list"].map { ["definition", $0] }
        + ["draft", "request-review", "review", "brief", "launch", "close", "show", "list"].map { ["campaign", $0] }
        + ["handoff", "accept", "reject", "convert", "recycle", "show", "list"].map { ["lead", $0] }
        + ["plan", "request", "triage", "fulfil", "list"].map { ["content", $0] }
        + ["definition", "who-approved", "actor", "stream", "overrides"].map { ["audit", $0] }
        + [["projections", "status"], ["projections", "rebuild"]]

    @Test(arguments: commands)
    func examplesFitIn80Columns(_ command: [String]) throws {
        let o = try CLI().run(command + ["--help"], withLedger: false, env: ["COLUMNS": "80"])
        #expect(o.code == 0, "\(o)")
        let lines = o.out.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("Example") }) else {
            Issue.record("no example: align \(command.joined(separator: " ")) --help\n\(o.out)")
            return
        }
        // Every line of the examples is indented: a line wrapped by the terminal width would start at column 0.
        for line in lines[(start + 1)...].prefix(while: { !$0.isEmpty }) {
            #expect(line.hasPrefix("  ") && line.trimmingCharacters(in: .whitespaces) != "\\", "align \(command.joined(separator: " ")) --help: \(line)")
        }
    }

    @Test func versionNamesTheCommit() throws {
        let o = try CLI().run(["--version"], withLedger: false)
        #expect(o.code == 0)
        let text = o.out.trimmingCharacters(in: .newlines)
        #expect(text.range(of: #"^\d+\.\d+\.\d+ \(commit ([0-9a-f]{7,}|unknown)\)$"#, options: .regularExpression) != nil, "\(o)")
    }
}
