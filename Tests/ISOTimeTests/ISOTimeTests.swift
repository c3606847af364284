import Foundation
import Testing
@testable import ISOTime
import SplitMix

/// ISOTime: what `format` writes and what `parse` accepts (see `ISOTime.parse`).
@Suite struct ISOTimeTests {
    /// Microseconds of a UTC calendar time, worked out by Foundation (the referee).
    static func us(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0, micros: Int64 = 0) -> Int64 {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        let date = c.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
        return Int64(date.timeIntervalSince1970) * 1_000_000 + micros
    }

    @Test func formatsUTCWithFractionOnlyWhenThereIsOne() {
        #expect(ISOTime.format(microseconds: 0) == "1970-01-01T00:00:00Z")
        #expect(ISOTime.format(microseconds: Self.us(2026, 3, 1, 9)) == "2026-03-01T09:00:00Z")
        #expect(ISOTime.format(microseconds: Self.us(2026, 3, 1, 9, micros: 500_000)) == "2026-03-01T09:00:00.5Z")
        #expect(ISOTime.format(microseconds: Self.us(2026, 3, 1, 9, micros: 123_456)) == "2026-03-01T09:00:00.123456Z")
        #expect(ISOTime.format(microseconds: Self.us(2026, 3, 1, 9, micros: 10)) == "2026-03-01T09:00:00.00001Z")
        #expect(ISOTime.format(microseconds: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(ISOTime.format(microseconds: Self.us(9999, 12, 31, 23, 59, 59)) == "9999-12-31T23:59:59Z")
    }

    @Test func formatAndAppendWriteTheSameText() {
        var rng = SeededGenerator(seed: 0x150)
        for _ in 0..<5_000 {
            var us = Int64.random(in: Self.us(1, 1, 1)...Self.us(9999, 12, 31, 23, 59, 59, micros: 999_999), using: &rng)
            if Bool.random(using: &rng) { us -= us % 1_000_000 }
            var out: [UInt8] = []
            ISOTime.append(microseconds: us, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == ISOTime.format(microseconds: us), "\(us)")
        }
    }

    /// Every timestamp from year 1 to 9999 survives format then parse, to the microsecond.
    @Test func roundTrips() {
        var rng = SeededGenerator(seed: 0x7157)
        for _ in 0..<20_000 {
            var us = Int64.random(in: Self.us(1, 1, 1)...Self.us(9999, 12, 31, 23, 59, 59, micros: 999_999), using: &rng)
            switch Int.random(in: 0...2, using: &rng) {
            case 0: us -= us % 1_000_000  // whole seconds: the fast path
            case 1: us -= us % 1_000  // milliseconds
            default: break
            }
            let text = ISOTime.format(microseconds: us)
            #expect(ISOTime.parse(text) == us, "\(text)")
        }
    }

    /// Whole-second times read and write as Foundation's `Date.ISO8601FormatStyle` does.
    @Test func agreesWithFoundationOnWholeSeconds() throws {
        var rng = SeededGenerator(seed: 42)
        let style = Date.ISO8601FormatStyle()
        for _ in 0..<2_000 {
            let s = Int64.random(in: 0...253_402_300_799, using: &rng)  // 1970 ... 9999
            let date = Date(timeIntervalSince1970: Double(s))
            #expect(ISOTime.format(microseconds: s * 1_000_000) == style.format(date))
            #expect(ISOTime.parse(style.format(date)) == s * 1_000_000)
            #expect(try style.parse(ISOTime.format(microseconds: s * 1_000_000)) == date)
        }
    }

    @Test func leapYears() {
        #expect(ISOTime.parse("2024-02-29T12:00:00Z") == Self.us(2024, 2, 29, 12))
        #expect(ISOTime.parse("2000-02-29") == Self.us(2000, 2, 29))  // divisible by 400
        #expect(ISOTime.parse("2023-02-29T12:00:00Z") == nil)
        #expect(ISOTime.parse("1900-02-29") == nil)  // a century not divisible by 400
        #expect(ISOTime.parse("2100-02-29T00:00:00Z") == nil)
        let days: Int64 = 365  // 2024 has 366 days: Jan 1 to Dec 31 is 365 of them
        #expect(ISOTime.parse("2024-12-31T00:00:00Z") == Self.us(2024, 1, 1) + days * 86_400_000_000)
        #expect(ISOTime.format(microseconds: Self.us(2024, 2, 29, 23, 59, 59)) == "2024-02-29T23:59:59Z")
        #expect(ISOTime.format(microseconds: Self.us(2024, 2, 29, 23, 59, 59) + 1_000_000) == "2024-03-01T00:00:00Z")
    }

    @Test(arguments: [
        "2026-02-30T00:00:00Z", "2026-02-30", "2026-02-31 10:00", "2026-04-31T00:00:00Z", "2026-06-31", "2026-09-31",
        "2026-11-31", "2026-01-32", "2026-01-00", "2026-00-10", "2026-13-01T00:00:00Z",
    ])
    func daysThatDoNotExistAreRefused(_ text: String) {
        #expect(ISOTime.parse(text) == nil)
    }

    @Test func lastDaysOfEachMonth() {
        let last = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        for (m, d) in last.enumerated() {
            let month = String(format: "%02d", m + 1)
            #expect(ISOTime.parse("2026-\(month)-\(d)T00:00:00Z") == Self.us(2026, m + 1, d), "\(month)")
            #expect(ISOTime.parse("2026-\(month)-\(d + 1)T00:00:00Z") == nil, "\(month)")
        }
    }

    @Test func fractionalSeconds() {
        let base = Self.us(2026, 3, 1, 9)
        #expect(ISOTime.parse("2026-03-01T09:00:00.5Z") == base + 500_000)
        #expect(ISOTime.parse("2026-03-01T09:00:00,25Z") == base + 250_000)  // comma, as ISO 8601 allows
        #expect(ISOTime.parse("2026-03-01T09:00:00.000001Z") == base + 1)
        #expect(ISOTime.parse("2026-03-01T09:00:00.1234569Z") == base + 123_456)  // truncated to microseconds
        #expect(ISOTime.parse("2026-03-01T09:00:00.000000000Z") == base)
        #expect(ISOTime.parse("2026-03-01T09:00:00.Z") == nil)
        #expect(ISOTime.parse("2026-03-01T09:00:00.5") == nil)  // a zone is required with a time
    }

    @Test func offsetsAndZones() {
        let base = Self.us(2026, 3, 1, 9)
        #expect(ISOTime.parse("2026-03-01T09:00:00Z") == base)
        #expect(ISOTime.parse("2026-03-01t09:00:00z") == base)
        #expect(ISOTime.parse("2026-03-01T10:00:00+01:00") == base)
        #expect(ISOTime.parse("2026-03-01T10:00:00+0100") == base)
        #expect(ISOTime.parse("2026-03-01T03:30:00-05:30") == base)
        #expect(ISOTime.parse("2026-03-01T10:00:00.5+01:00") == base + 500_000)
        #expect(ISOTime.parse("2026-03-01T00:30:00-08:30") == base)
        #expect(ISOTime.parse("2026-03-02T08:00:00+23:00") == base)
        #expect(ISOTime.parse("2026-03-01T09:00:00+24:00") == nil)
        #expect(ISOTime.parse("2026-03-01T09:00:00+01:60") == nil)
        #expect(ISOTime.parse("2026-03-01T09:00:00+1") == nil)
    }

    @Test func otherAcceptedForms() {
        #expect(ISOTime.parse("2026-03-01") == Self.us(2026, 3, 1))  // midnight UTC
        #expect(ISOTime.parse("2026-03-01 09:00Z") == Self.us(2026, 3, 1, 9))  // space, no seconds
        #expect(ISOTime.parse("2026-03-01T09:00Z") == Self.us(2026, 3, 1, 9))
        #expect(ISOTime.parse("2026-12-31T23:59:60Z") == Self.us(2027, 1, 1))  // a leap second reads as the next one
        #expect(ISOTime.parse("0000-01-01T00:00:00Z") != nil)
    }

    @Test(arguments: [
        "", "x", "2026", "2026-03", "2026-3-01", "2026-03-1", "26-03-01", "+2026-03-01", "2026-03-01T", "2026-03-01T9:00:00Z",
        "2026-03-01T24:00:00Z", "2026-03-01T09:60:00Z", "2026-03-01T09:00:61Z", "2026-03-01T09:00:00ZZ", "2026-03-01T09:00:00Z ",
        " 2026-03-01T09:00:00Z", "2026-03-01X09:00:00Z", "２０２６-03-01", "2026-03-01T09:00:00+01:00x",
    ])
    func malformedTextIsRefused(_ text: String) {
        #expect(ISOTime.parse(text) == nil)
    }

    /// Random damage to a valid text never traps, and what is still accepted formats back to a text that parses
    /// to the same time.
    @Test func damagedTextNeverTraps() {
        var rng = SeededGenerator(seed: 0xDA)
        let alphabet = Array("0123456789-T:Z.+, tz".utf8) + [0x00, 0x80, 0xFF]
        for _ in 0..<20_000 {
            var b = Array("2026-03-01T09:00:00.25+01:00".utf8)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let i = Int.random(in: 0..<b.count, using: &rng)
                if Bool.random(using: &rng) { b[i] = alphabet.randomElement(using: &rng) ?? 0 } else { b.remove(at: i) }
            }
            let parsed = b.withUnsafeBufferPointer { ISOTime.parse(utf8: $0) }
            #expect(parsed == ISOTime.parse(String(decoding: b, as: UTF8.self)) || b.contains { $0 >= 0x80 })
            if let us = parsed { #expect(ISOTime.parse(ISOTime.format(microseconds: us)) == us) }
        }
    }
}

typealias SeededGenerator = SplitMix64
