/// Why lines of an apply file were refused; nothing of the file was written.
public struct ApplyError: Error, Sendable, CustomStringConvertible {
    /// Each refused line's number and why.
    public var problems: [(line: Int, error: String)]
    /// True when every problem is a malformed line (usage), false when a rule refused one.
    public var onlyMalformed: Bool

    /// An error for these problems.
    public init(problems: [(line: Int, error: String)], onlyMalformed: Bool) {
        self.problems = problems
        self.onlyMalformed = onlyMalformed
    }

    /// The problems, one line each (the first 50).
    public var description: String {
        let lines = problems.prefix(50).map { "  line \($0.line): \(Terminal.safe($0.error))" }.joined(separator: "\n")
        let more = problems.count > 50 ? "\n  ... and \(problems.count - 50) more" : ""
        return "\(problems.count) line(s) refused; nothing was written:\n\(lines)\(more)"
    }
}
