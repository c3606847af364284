import Foundation

/// What text may hold, so that nothing typed into the ledger can act on a terminal or pass for something else there,
/// and how any text is spelled where a terminal will show it.
///
/// Three kinds of text: ids (actors, definitions, campaigns, leads, content, assets, opportunities) are NFC printable
/// letters and digits (`checkID`); names (an actor's name, titles, campaign names, personas, channels, profile
/// fields, criteria) are one line of printable text (`checkName`); free text (comments, reasons, notes, rationales,
/// summaries, talking points, details) may also hold newlines and tabs (`checkFreeText`). None may hold a hidden
/// character (`isHidden`): C0, DEL and C1 controls (ESC starts the ANSI and OSC sequences that recolour, retitle,
/// link or rewrite a terminal), bidi controls (which reorder what is shown), zero-width and other invisible format
/// characters, and the Unicode line and paragraph separators.
public enum SafeText {
    /// Whether a terminal would act on `s` or not show it: a control (C0, DEL, C1), a format character (bidi
    /// controls, zero-width space, word joiner, byte order mark, soft hyphen, tag characters, ...) other than the
    /// zero-width joiner that emoji sequences need, or a line or paragraph separator (U+2028, U+2029).
    @inline(__always)
    public static func isHidden(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return true }
        if v < 0xA0 || v == 0x200D { return false }
        if v == 0x2028 || v == 0x2029 { return true }
        return s.properties.generalCategory == .format
    }

    /// Whether `s` is a bidi control: the embeddings, overrides and isolates (U+202A-202E, U+2066-2069) and the
    /// marks (U+200E, U+200F, U+061C). A subset of `isHidden`, named in refusals.
    public static func isBidiControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    /// `text` with every hidden character spelled out (`\n`, `\t`, `\r`, else `\u{1B}`), so that it shows on one line
    /// exactly as stored and sends a terminal no control. Text without hidden characters is returned as it is (an
    /// all-printable-ASCII text is answered from its bytes, without looking at its scalars).
    public static func escaped(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        guard text.unicodeScalars.contains(where: isHidden) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            guard isHidden(s) else { out.append(s); continue }
            switch s {
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\t": out.append(contentsOf: #"\t"#.unicodeScalars)
            case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
            default: out.append(contentsOf: "\\u{\(String(s.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(out)
    }

    /// `text` in double quotes for a message, hidden characters escaped (Swift's `debugDescription` lets C1
    /// controls, bidi controls and zero-width characters through as they are).
    public static func quoted(_ text: String) -> String {
        "\"" + escaped(text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")) + "\""
    }

    /// What a hidden character is, for a refusal: "U+202E (a bidi control)".
    static func describe(_ s: Unicode.Scalar) -> String {
        let code = "U+" + String(repeating: "0", count: max(0, 4 - String(s.value, radix: 16).count)) + String(s.value, radix: 16, uppercase: true)
        let what: String
        if isBidiControl(s) { what = "a bidi control" }
        else if s.value < 0x20 || (s.value >= 0x7F && s.value < 0xA0) { what = s.value == 0x1B ? "ESC, a control character" : "a control character" }
        else if s.value == 0x2028 || s.value == 0x2029 { what = "a Unicode line separator" }
        else { what = "an invisible format character" }
        return "\(code) (\(what))"
    }

    /// Checks a name (one line of printable text): no hidden character at all, newlines and tabs included.
    public static func checkName(_ text: String, _ what: String) throws(DomainError) {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return }
        if let bad = text.unicodeScalars.first(where: isHidden) {
            let shown = text.count > 60 ? String(text.prefix(60)) + "..." : text
            throw .invalid("\(what) \(quoted(shown)) holds \(describe(bad)); a name is one line of printable text")
        }
    }

    /// Checks free text: newlines and tabs are kept, no other hidden character (controls such as ESC or CR, bidi
    /// controls, invisible format characters, Unicode line separators).
    public static func checkFreeText(_ text: String, _ what: String) throws(DomainError) {
        if text.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 }) { return }
        if let bad = text.unicodeScalars.first(where: { isHidden($0) && $0 != "\n" && $0 != "\t" }) {
            throw .invalid("\(what) holds \(describe(bad)); text may hold newlines and tabs but no other control, bidi or invisible character")
        }
    }
}

extension Command {
    /// Checks every name and free text the command carries (`SafeText`); ids are checked by `check`.
    func checkTexts() throws(DomainError) {
        // (text, argument, whether it is free text) for each text argument given.
        var texts: [(String?, String, Bool)] = [(overrideReason, "reason", true)]
        switch self {
        case .actorAdd(_, let n, _, _): texts.append((n, "name", false))
        case .policySet(_, _, _, _, _, _, _, let add, let remove): texts += (add + remove).map { ($0, "signal", false) }
        case .actorRoles, .actorDeactivate, .actorKeyAdd, .actorKeyRotate, .policyRequireSignatures: break
        case .actorKeyRevoke(_, let keyID, let reason): texts += [(keyID, "key-id", false), (reason, "reason", true)]
        case .importRecords(let source, let reason, _): texts += [(source, "source", false), (reason, "reason", true)]
        case .definitionPropose(_, let title, let fit, let engagement, let rationale):
            texts += [(title, "title", false), (rationale, "rationale", true)]
            for c in fit { texts += [(c.field, "fit", false)] + c.values.map { ($0, "fit", false) } }
            for c in engagement { texts += [(c.field, "engagement", false)] + c.values.map { ($0, "engagement", false) } }
        case .definitionSignOff(_, _, let comment): texts.append((comment, "comment", true))
        case .definitionReject(_, _, let reason): texts.append((reason, "reason", true))
        case .definitionActivate, .definitionRetire: break
        case .campaignDraft(_, let n, let audience, let offer, let channels, let launchDate):
            texts += [(n, "name", false), (audience, "audience", true), (offer, "offer", true), (launchDate, "launch-date", false)]
            texts += channels.map { ($0, "channel", false) }
        case .campaignRequestReview, .campaignLaunch, .campaignClose: break
        case .campaignReview(_, _, let comment): texts.append((comment, "comment", true))
        case .campaignBrief(_, let summary, let points, let offer):
            texts += [(summary, "summary", true), (offer, "offer", true)] + points.map { ($0, "talking-point", true) }
        case .leadHandoff(let h):
            for (k, v) in h.profile { texts += [(k, "profile", false), (v, "profile", false)] }
            for s in h.signals { texts += [(s.name, "signal", false), (s.detail, "signal", true)] }
            texts.append((h.note, "note", true))
        case .leadAccept, .leadConvert, .leadRecycle: break
        case .leadReject(_, _, let note): texts.append((note, "note", true))
        case .contentPlan(_, let title, _, let persona): texts += [(title, "title", false), (persona, "persona", false)]
        case .contentRequest(_, let what, _, _, let why): texts += [(what, "what", true), (why, "why", true)]
        case .contentTriage(_, _, _, let reason, _): texts.append((reason, "reason", true))
        case .contentFulfil: break
        }
        let command = name
        for (text, key, isFree) in texts {
            guard let text else { continue }
            if isFree { try SafeText.checkFreeText(text, "\(command) '\(key)'") } else { try SafeText.checkName(text, "\(command) '\(key)'") }
        }
    }
}
