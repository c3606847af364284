import AlignmentDomain
import CRMImport
import Foundation
import Testing

/// The fixtures (written from Salesforce's and HubSpot's public field lists) and temporary copies of them.
enum Fixture {
    struct NotFound: Error {}

    /// The fixtures folder in the test bundle.
    static func root() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else { throw NotFound() }
        return url
    }

    static func url(_ path: String) throws -> URL { try root().appendingPathComponent(path) }

    static func mapping(_ name: String) throws -> CRMMapping {
        try CRMMapping.load(path: url(name).path)
    }

    /// A fresh temporary folder, removed by `remove`.
    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crm-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A copy of the Salesforce export, without the files named in `leaving` (any case).
    static func salesforceCopy(leaving: [String] = []) throws -> URL {
        let dir = try temporaryFolder().appendingPathComponent("export")
        try FileManager.default.copyItem(at: url("salesforce"), to: dir)
        for name in leaving { try FileManager.default.removeItem(at: dir.appendingPathComponent(name)) }
        return dir
    }

    static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url.deletingLastPathComponent())
    }

    /// Appends text to a file.
    static func append(_ text: String, to url: URL) throws {
        let h = try FileHandle(forWritingTo: url)
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
    }

    /// A time in a test: `2026-03-02T14:05:00Z`.
    static func t(_ s: String) -> Date {
        DomainTime.parse(s) ?? Date(timeIntervalSince1970: 0)
    }
}

extension CRMReading {
    /// The steps of one CRM lead, by key's lead part.
    func steps(of crmID: String) -> [ImportStep] { steps.filter { $0.key.split(separator: "/").dropFirst().first.map(String.init) == crmID } }

    /// The keys of every step, in order.
    var keys: [String] { steps.map(\.key) }
}

extension ImportStep {
    /// The handoff's arguments, if it is a handoff.
    var handoff: HandoffArgs? {
        if case .leadHandoff(let h) = command { return h }
        return nil
    }
}
