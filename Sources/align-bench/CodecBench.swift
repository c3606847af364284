// The `json` section: JSONCore's hand-written pieces (the byte parser, the `JSONFields` payload decoders, the
// canonical encoder) and ISOTime against what Foundation offers for the same job, on the project's own event
// payloads. Each figure is the median, over the runs, of the time per payload (or per timestamp) in one run.
import AlignmentDomain
import Foundation
import ISOTime
import JSONCore

enum CodecBench {
    /// Event payloads as the ledger stores them (canonical JSON), one of each common shape, with how Foundation
    /// decodes each to the same struct the hand-written decoder builds.
    struct Sample: Sendable {
        let type: String
        let payload: [UInt8]
        let foundation: @Sendable (JSONDecoder, Data) throws -> Any
        let decodeOurs: @Sendable (JSONValueDecoder, [UInt8]) throws -> Any
        let encodeOurs: @Sendable (JSONValueEncoder, Any) throws -> [UInt8]
        let encodeFoundation: @Sendable (JSONEncoder, Any) throws -> Data
    }

    static func sample<T: Codable & Sendable>(_ type: String, _ as: T.Type, _ text: String) -> Sample {
        let payload = (try? JSONCanonical.canonicalize(Array(text.utf8))) ?? []
        return Sample(type: type, payload: payload, foundation: { d, data in try d.decode(T.self, from: data) },
                      decodeOurs: { d, bytes in try d.decode(T.self, fromJSON: bytes) },
                      encodeOurs: { e, v in try (v as? T).map { try e.encodeCanonical($0) } ?? [] },
                      encodeFoundation: { e, v in try (v as? T).map { try e.encode($0) } ?? Data() })
    }

    static let samples: [Sample] = [
        sample("LeadHandedOff", LeadHandedOff.self, #"""
            {"lead":"L-10042","definition":"mql","definitionVersion":2,"campaign":"q2-webinar",
             "brief":{"version":2,"summary":"Pricing webinar with a free \"audit\" offer",
                      "talkingPoints":["ask how they price today","offer the audit / pilot"],"offer":"free pricing audit"},
             "owner":"sam","profile":{"company":"Initech GmbH","employees":"1200","industry":"saas","city":"Zürich"},
             "signals":[{"name":"webinar.attended","at":"2026-02-27T15:00:00Z","detail":"Pricing webinar"},
                        {"name":"pricing.visited","at":"2026-02-28T07:30:00Z"}],
             "score":0.82,"note":"Wants a pilot before Q4"}
            """#),
        sample("LeadAccepted", LeadAccepted.self, #"{"lead":"L-10042"}"#),
        sample("LeadRejected", LeadRejected.self, #"{"lead":"L-10043","reason":"insufficient-context","note":"no budget owner named"}"#),
        sample("LeadConverted", LeadConverted.self, #"{"lead":"L-10042","opportunity":"OPP-7","amount":48000.5}"#),
        sample("LeadDefinitionSignedOff", LeadDefinitionSignedOff.self, #"{"definition":"mql","version":3,"comment":"ok for Q2"}"#),
        sample("CampaignDrafted", CampaignDrafted.self, #"""
            {"campaign":"q2-webinar","revision":1,"name":"Q2 pricing webinar","audience":"RevOps leaders",
             "channels":["email","linkedin"],"launchDate":"2026-04-15"}
            """#),
    ]

    /// One row of the section's table.
    struct Row {
        var what: String
        var ours: Double
        var library: Double
        var libraryName: String
    }

    /// Times `body` (which handles `perRun` items) `runs` times; the median time per item, in nanoseconds.
    static func measure(runs: Int, perRun: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()  // warm up
        var times: [Double] = []
        for _ in 0..<runs {
            let t = nowNS()
            try body()
            times.append(Double(nowNS() - t) / Double(perRun))
        }
        return median(times)
    }

    /// Runs the section and returns its report lines (markdown).
    static func run(runs: Int, quick: Bool) throws -> [String] {
        let rounds = quick ? 1_000 : 4_000
        let items = rounds * samples.count
        var rows: [Row] = []
        let datas = samples.map { Data($0.payload) }
        for s in samples {
            // Both decoders agree on every sample, or the comparison is void.
            let ours = try DomainEvent.decode(type: s.type, schemaVersion: 1, payload: s.payload)
            _ = ours
            _ = try s.foundation(foundationDecoder(), Data(s.payload))
        }

        note("json: decoding \(fmtCount(items)) event payloads per run into the domain's structs")
        let oursDecode = try measure(runs: runs, perRun: items) {
            for _ in 0..<rounds { for s in samples { blackHole(try DomainEvent.decode(type: s.type, schemaVersion: 1, payload: s.payload)) } }
        }
        let decoder = foundationDecoder()
        let foundationDecode = try measure(runs: runs, perRun: items) {
            for _ in 0..<rounds { for (j, s) in samples.enumerated() { blackHole(try s.foundation(decoder, datas[j])) } }
        }
        rows.append(Row(what: "decode an event payload to its struct (JSONFields)", ours: oursDecode, library: foundationDecode,
                        libraryName: "JSONDecoder"))
        let valueDecoder = JSONValueDecoder()
        let oursCodable = try measure(runs: runs, perRun: items) {
            for _ in 0..<rounds { for s in samples { blackHole(try s.decodeOurs(valueDecoder, s.payload)) } }
        }
        rows.append(Row(what: "decode the same through Codable (JSONValueDecoder)", ours: oursCodable, library: foundationDecode,
                        libraryName: "JSONDecoder"))

        note("json: parsing \(fmtCount(items)) payloads per run into a generic value")
        let oursParse = try measure(runs: runs, perRun: items) {
            for _ in 0..<rounds { for s in samples { blackHole(try JSONValue.parse(s.payload)) } }
        }
        let foundationParse = try measure(runs: runs, perRun: items) {
            for _ in 0..<rounds { for d in datas { blackHole(try JSONSerialization.jsonObject(with: d)) } }
        }
        rows.append(Row(what: "parse a payload to a generic value (JSONValue.parse)", ours: oursParse, library: foundationParse,
                        libraryName: "JSONSerialization"))

        note("json: encoding \(fmtCount(items)) payloads per run")
        let values: [Any] = try samples.enumerated().map { j, s in try s.foundation(decoder, datas[j]) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let ours = JSONValueEncoder()
        let oursEncode = try measure(runs: runs, perRun: items) {
            for _ in 0..<rounds { for (j, s) in samples.enumerated() { blackHole(try s.encodeOurs(ours, values[j])) } }
        }
        let foundationEncode = try measure(runs: runs, perRun: items) {
            for _ in 0..<rounds { for (j, s) in samples.enumerated() { blackHole(try s.encodeFoundation(encoder, values[j])) } }
        }
        rows.append(Row(what: "encode a payload struct, keys sorted (JSONValueEncoder, canonical)", ours: oursEncode,
                        library: foundationEncode, libraryName: "JSONEncoder (.sortedKeys)"))

        note("json: checking \(fmtCount(items)) payloads per run for canonical form")
        let oursCheck = measure(runs: runs, perRun: items) {
            for _ in 0..<rounds { for s in samples { blackHole(JSONCanonical.isCanonicalFast(s.payload)) } }
        }
        // A hundred times slower: a tenth of the rounds.
        let foundationCheck = try measure(runs: runs, perRun: items / 10) {
            let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
            for _ in 0..<(rounds / 10) {
                for d in datas { blackHole(try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: d), options: options)) }
            }
        }
        rows.append(Row(what: "canonical check of a stored payload (JSONCanonical.isCanonicalFast)", ours: oursCheck,
                        library: foundationCheck, libraryName: "JSONSerialization parse + write (.sortedKeys)"))

        // Timestamps: whole seconds (what the domain writes) and with microseconds (what the log records).
        let n = quick ? 20_000 : 100_000
        let micros: [Int64] = (0..<1024).map { k in
            // Spread over about six years, a fixed sequence.
            let us = 1_700_000_000_000_000 + Int64(k) * 195_312_345_679
            return k % 2 == 0 ? us - us % 1_000_000 : us
        }
        let dates = micros.map { Date(timeIntervalSince1970: Double($0) / 1_000_000) }
        let texts = micros.map { ISOTime.format(microseconds: $0) }
        let style = Date.ISO8601FormatStyle()
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        note("time: formatting and parsing \(fmtCount(n)) timestamps per run")
        let oursFormat = measure(runs: runs, perRun: n) {
            for k in 0..<n { blackHole(ISOTime.format(microseconds: micros[k & 1023])) }
        }
        let libraryFormat = measure(runs: runs, perRun: n) {
            for k in 0..<n { blackHole((k & 1 == 0 ? style : fractional).format(dates[k & 1023])) }
        }
        rows.append(Row(what: "format a timestamp (ISOTime.format)", ours: oursFormat, library: libraryFormat,
                        libraryName: "Date.ISO8601FormatStyle.format"))
        let oursParseTime = measure(runs: runs, perRun: n) {
            for k in 0..<n { blackHole(ISOTime.parse(texts[k & 1023])) }
        }
        let libraryParseTime = measure(runs: runs, perRun: n) {
            for k in 0..<n { blackHole(try? (k & 1 == 0 ? style : fractional).parse(texts[k & 1023])) }
        }
        rows.append(Row(what: "parse a timestamp (ISOTime.parse)", ours: oursParseTime, library: libraryParseTime,
                        libraryName: "Date.ISO8601FormatStyle.parse"))

        var lines = ["", "JSON and time codecs (ns per item, medians of \(runs) runs; payloads: \(samples.map(\.type).joined(separator: ", ")))", "",
                     "| what | hand-written | library | library time | library / hand-written |",
                     "|---|---|---|---|---|"]
        for r in rows {
            lines.append("| \(r.what) | \(String(format: "%.0f", r.ours)) ns | \(r.libraryName) | \(String(format: "%.0f", r.library)) ns | \(fmtRatio(r.library / r.ours)) |")
        }
        return lines
    }

    static func foundationDecoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
