import AlignmentDomain

/// How the human (non-JSON) views show text that came from people or from the log. Every such text passes through
/// `safe` on its way out, so that nothing stored (a comment with a newline, a name with an ANSI or OSC escape, a bidi
/// override; typed before the door refused them, or written into the log behind the service's back) can move the
/// cursor, recolour, retitle or reorder a terminal, or start a line of its own that passes for another record.
/// JSON output is not affected: JSON escapes what it must, and programs read it.
public enum Terminal {
    /// `text` as one line: newlines, tabs and carriage returns as `\n`, `\t`, `\r`; other controls (ESC, C1), bidi
    /// controls, invisible format characters and Unicode line separators as `\u{1B}`. Printable text is unchanged.
    @inline(__always)
    public static func safe(_ text: String) -> String { SafeText.escaped(text) }

    /// Each line made safe.
    public static func safe(_ lines: [String]) -> [String] { lines.map(SafeText.escaped) }

    /// A text of several lines (an error message that lists problems one a line): each line made safe, the line
    /// breaks between them kept.
    public static func safeLines(_ text: String) -> String {
        if text.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A }) { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { SafeText.escaped(String($0)) }.joined(separator: "\n")
    }
}
