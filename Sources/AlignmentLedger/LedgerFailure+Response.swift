extension LedgerFailure {
    /// The documented exit code of the failure's kind: 1 refused or not found, 2 usage, 3 storage (an HTTP front end
    /// maps the same kinds onto 4xx and 5xx).
    public var exitCode: Int32 {
        switch kind {
        case .usage: 2
        case .refused, .notFound: 1
        case .storage: 3
        }
    }

    /// The failure as one JSON object (`--json` errors of the command line; the error body of an API).
    public func jsonResponse() throws -> [UInt8] {
        try LedgerJSON.encode(Response(error: kind.rawValue, exitCode: Int(exitCode), message: message, ok: false, rule: rule,
                                       problems: problems.isEmpty ? nil : problems.map { .init(line: $0.line, error: $0.error) }))
    }

    private struct Response: Encodable {
        struct Problem: Encodable { var line: Int; var error: String }
        var error: String
        var exitCode: Int
        var message: String
        var ok: Bool
        var rule: String?
        var problems: [Problem]?
    }
}
