import Foundation

/// A criterion of a lead definition, parsed from an expression such as `employees>=200`,
/// `industry in [saas,fintech]` or `webinar.attended>=1 within 30d` (the language: docs/CRITERIA.md).
public struct Criterion: Codable, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    /// One of `>=`, `<=`, `>`, `<`, `=`, `!=`, `in`.
    public var op: String
    public var values: [String]
    /// For an engagement criterion: only signals this long before the handoff count, written as a number and a unit
    /// (`30d`, `12h`, `2w`); nil: every signal up to the handoff counts.
    public var within: String?

    /// A value with every field given (the kept-state codec builds them).
    public init(field: String, op: String, values: [String], within: String? = nil) {
        self.field = field
        self.op = op
        self.values = values
        self.within = within
    }

    public var description: String {
        let base = op == "in" ? "\(field) in [\(values.joined(separator: ","))]" : "\(field)\(op)\(values.first ?? "")"
        return within.map { "\(base) within \($0)" } ?? base
    }

    /// The window in seconds (nil: none, or a window this build cannot read, which `parse` never writes).
    public var windowSeconds: Double? { within.flatMap(Criterion.seconds(of:)) }

    static func seconds(of window: String) -> Double? {
        guard let unit = window.last, let n = Int(window.dropLast()), n > 0, n <= 100_000 else { return nil }
        switch unit {
        case "h": return Double(n) * 3600
        case "d": return Double(n) * 86_400
        case "w": return Double(n) * 7 * 86_400
        default: return nil
        }
    }

    /// Parses one expression; throws `.invalid` naming what is wrong.
    public static func parse(_ text: String) throws(DomainError) -> Criterion {
        var t = text.trimmingCharacters(in: .whitespaces)
        func bad(_ why: String) -> DomainError {
            .invalid("criterion \(text.debugDescription) is not valid: \(why); write e.g. \"employees>=200\", \"industry in [saas,fintech]\" or \"webinar.attended>=1 within 30d\" (docs/CRITERIA.md)")
        }
        func checkField(_ f: String) throws(DomainError) -> String {
            let f = f.trimmingCharacters(in: .whitespaces)
            guard Signal.isName(f) else { throw bad("the field name must be 1 to 64 letters, digits, '.', '_' or '-'") }
            return f
        }
        var within: String?
        if let r = t.range(of: " within ", options: [.caseInsensitive, .backwards]) {
            let w = t[r.upperBound...].trimmingCharacters(in: .whitespaces).lowercased()
            guard seconds(of: w) != nil else { throw bad("a window is a whole number of hours, days or weeks, e.g. \"within 30d\", \"within 12h\", \"within 2w\"") }
            within = w
            t = String(t[..<r.lowerBound])
        }
        if let r = t.range(of: " in ", options: .caseInsensitive) {
            guard within == nil else { throw bad("a window ('within') goes with a count of signals, not with 'in'") }
            let field = try checkField(String(t[..<r.lowerBound]))
            var list = t[r.upperBound...].trimmingCharacters(in: .whitespaces)
            guard list.hasPrefix("["), list.hasSuffix("]"), list.count >= 2 else { throw bad("a list must be in brackets") }
            list = String(list.dropFirst().dropLast())
            let values = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !values.isEmpty else { throw bad("the list is empty") }
            return Criterion(field: field, op: "in", values: values)
        }
        for op in [">=", "<=", "!=", ">", "<", "="] {
            if let r = t.range(of: op) {
                let field = try checkField(String(t[..<r.lowerBound]))
                let value = t[r.upperBound...].trimmingCharacters(in: .whitespaces)
                guard !value.isEmpty else { throw bad("there is no value after '\(op)'") }
                if [">=", "<=", ">", "<"].contains(op), Criteria.number(value) == nil { throw bad("'\(op)' needs a number") }
                return Criterion(field: field, op: op, values: [value], within: within)
            }
        }
        throw bad("no operator found")
    }

    /// Checks the criterion as an engagement criterion: a comparison of a count of signals with a whole number.
    public func checkEngagement() throws(DomainError) {
        guard op != "in", let v = values.first, let n = Int(v), n >= 0 else {
            throw .invalid("engagement criterion \"\(self)\" must compare a count of signals with a whole number, e.g. \"webinar.attended>=1\" or \"demo.requested>=1 within 30d\"")
        }
    }

    /// Checks the criterion as a fit criterion: a profile field has no window.
    public func checkFit() throws(DomainError) {
        if within != nil {
            throw .invalid("fit criterion \"\(self)\" has a window; 'within' counts signals, so it belongs in an --engagement criterion")
        }
    }
}

/// Whether a handoff met one criterion: met, failed, or missing (the field is not in the profile, which fails it).
public enum CriterionOutcome: String, Codable, CaseIterable, Sendable {
    case met, failed, missing
}

/// Which list of the definition a criterion belongs to.
public enum CriterionKind: String, Codable, CaseIterable, Sendable {
    case fit, engagement
}

/// One criterion judged against one handoff, with what was seen.
public struct CriterionResult: Codable, Equatable, Sendable {
    /// The criterion as written (`Criterion.description`).
    public var criterion: String
    public var kind: CriterionKind
    public var outcome: CriterionOutcome
    /// The profile value, or the number of matching signals (nil when the field is missing).
    public var observed: String?

    public init(criterion: String, kind: CriterionKind, outcome: CriterionOutcome, observed: String? = nil) {
        self.criterion = criterion
        self.kind = kind
        self.outcome = outcome
        self.observed = observed
    }

    /// `employees>=200: failed (employees=5)`.
    public var summary: String {
        let seen: String
        switch (kind, observed) {
        case (_, nil): seen = "no value in the profile"
        case (.fit, let v?): seen = "was \(v)"
        case (.engagement, let v?): seen = "\(v) signal\(v == "1" ? "" : "s")"
        }
        return "\(criterion): \(outcome.rawValue) (\(seen))"
    }
}

/// How a handoff was judged against the definition version it names, recorded in the `LeadHandedOff` event.
public struct HandoffEvaluation: Codable, Equatable, Sendable {
    /// Every criterion met.
    public var met: Bool
    public var criteria: [CriterionResult]
    /// For a handoff that did not meet its definition and was let through by the policy: `flag` or `allow` (nil when
    /// it met the definition, or when it was forced by an override, which the event records instead).
    public var offDefinition: OffDefinitionPolicy?

    public init(met: Bool, criteria: [CriterionResult], offDefinition: OffDefinitionPolicy? = nil) {
        self.met = met
        self.criteria = criteria
        self.offDefinition = offDefinition
    }

    /// The criteria that were not met.
    public var unmet: [CriterionResult] { criteria.filter { $0.outcome != .met } }

    /// `met`, or `2 of 3 not met`.
    public var short: String { met ? "met" : "\(unmet.count) of \(criteria.count) not met" }
}

/// The evaluation of a handoff against a definition version's criteria. Pure and total: every profile and signal
/// list gets an answer, never an error.
public enum Criteria {
    /// Judges `profile` against the fit criteria and `signals` against the engagement criteria, as of `at` (the
    /// handoff's business time: signals after it do not count; a criterion's window counts back from it).
    public static func evaluate(fit: [Criterion], engagement: [Criterion], profile: [String: String], signals: [Signal], at: Date) -> HandoffEvaluation {
        var results: [CriterionResult] = []
        results.reserveCapacity(fit.count + engagement.count)
        for c in fit { results.append(judgeFit(c, profile[c.field])) }
        for c in engagement {
            let from = c.windowSeconds.map { at.addingTimeInterval(-$0) }
            var n = 0
            for s in signals where s.name == c.field && s.at <= at && (from.map { s.at >= $0 } ?? true) { n += 1 }
            results.append(CriterionResult(criterion: c.description, kind: .engagement,
                                           outcome: compare(Double(n), c.op, c.values.first.flatMap(number)) ? .met : .failed,
                                           observed: String(n)))
        }
        return HandoffEvaluation(met: results.allSatisfy { $0.outcome == .met }, criteria: results)
    }

    static func judgeFit(_ c: Criterion, _ value: String?) -> CriterionResult {
        guard let value else { return CriterionResult(criterion: c.description, kind: .fit, outcome: .missing) }
        let met: Bool
        switch c.op {
        case "in": met = c.values.contains { same(value, $0) }
        case "=": met = c.values.first.map { same(value, $0) } ?? false
        case "!=": met = c.values.first.map { !same(value, $0) } ?? false
        default: met = compare(number(value), c.op, c.values.first.flatMap(number))
        }
        return CriterionResult(criterion: c.description, kind: .fit, outcome: met ? .met : .failed, observed: value)
    }

    /// Two values are the same when both are numbers and equal, or, as text, equal ignoring case and surrounding spaces.
    static func same(_ a: String, _ b: String) -> Bool {
        if let x = number(a), let y = number(b) { return x == y }
        let a = trimmed(a), b = trimmed(b)
        // ASCII (nearly every value): compared byte by byte, folding A-Z, without Foundation; otherwise Foundation's
        // case-insensitive comparison.
        if a.utf8.allSatisfy({ $0 < 0x80 }), b.utf8.allSatisfy({ $0 < 0x80 }) {
            return a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { x, y in
                x == y || (x | 0x20 == y | 0x20 && (0x61...0x7A).contains(x | 0x20))
            }
        }
        return a.caseInsensitiveCompare(b) == .orderedSame
    }

    /// `s` without the spaces and tabs around it (Foundation's trimming only when there are any: it costs a bridge).
    static func trimmed(_ s: String) -> String {
        guard let first = s.utf8.first, let last = s.utf8.last else { return s }
        if first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 { return s }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// A number as a criterion reads one: a finite decimal, `_` and `,` between digit groups allowed (`1,000`).
    static func number(_ s: String) -> Double? {
        let t = trimmed(s)
        // Only text that starts like a number is parsed (`saas` is not): most values are words or plain numbers.
        guard let c = t.utf8.first, (0x30...0x39).contains(c) || c == 0x2D || c == 0x2B || c == 0x2E else { return nil }
        if let d = Double(t), d.isFinite { return d }
        guard t.utf8.contains(0x2C) || t.utf8.contains(0x5F) else { return nil }
        let plain = String(t.filter { $0 != "," && $0 != "_" })
        guard let d = Double(plain), d.isFinite else { return nil }
        return d
    }

    static func compare(_ a: Double?, _ op: String, _ b: Double?) -> Bool {
        guard let a, let b else { return false }
        switch op {
        case ">=": return a >= b
        case "<=": return a <= b
        case ">": return a > b
        case "<": return a < b
        case "=": return a == b
        case "!=": return a != b
        default: return false
        }
    }
}
