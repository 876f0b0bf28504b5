import Foundation

/// A small model writing the same lines over and over until its token limit: asked "Welche Zahlungen sind heute
/// eingegangen?", the offline model wrote the four made-up lines "- RE-123456 € (Umsatz)", "- RE-789012 € …" again
/// and again, 1,024 tokens in 128 s. No answer says the same block of lines three times in a row, so the answer is
/// stopped at the end of its first copy.
public enum RepeatedLines {
    /// What the user is told about an answer stopped for repeating itself.
    public static let warning =
        "The model wrote the same lines over and over, so its answer was stopped; what it says is likely made up. Ask again in other words."

    /// The longest block of lines looked for.
    static let longestBlock = 8

    /// Where the first copy of a block of lines ends, when `text` ends in the same block three times in a row (one
    /// line: four times), counting only whole lines; nil otherwise. Blocks of blank lines do not count.
    public static func endOfFirstCopy(in text: String) -> String.Index? {
        // Whole lines only, with where each ends (after its line break).
        var lines: [(text: String, end: String.Index)] = []
        var start = text.startIndex
        while let newline = text[start...].firstIndex(of: "\n") {
            let end = text.index(after: newline)
            lines.append((text[start..<newline].trimmingCharacters(in: .whitespaces), end))
            start = end
        }
        for length in 1...longestBlock {
            let copies = length == 1 ? 4 : 3
            guard lines.count >= copies * length else { break }
            let last = lines.suffix(length).map(\.text)
            guard last.contains(where: { !$0.isEmpty }) else { continue }
            var first = lines.count - length
            while first >= length, lines[(first - length)..<first].map(\.text) == last { first -= length }
            guard (lines.count - first) / length >= copies else { continue }
            return lines[first + length - 1].end
        }
        return nil
    }

    /// Shows an answer as it streams, holding back lines that repeat the lines just before them until it is clear
    /// whether they loop: `ask` prints to a pipe and cannot take back what it printed, so an answer stopped for
    /// repeating itself would show three copies before the stop. A line being written is held while it could still
    /// become such a repeat; an answer that goes on with other lines shows the held ones then, nothing is lost.
    struct Stream {
        /// Everything given so far.
        private var text = ""
        /// How much of `text` (UTF-8 bytes) has been shown.
        private var shown = 0
        /// The whole lines of `text`, trimmed, and where each ends (UTF-8 bytes, after its line break).
        private var lines: [(text: String, end: Int)] = []

        /// What to show now, after this piece of text.
        mutating func add(_ piece: String) -> String {
            guard !piece.isEmpty else { return "" }
            let before = text.utf8.count
            text += piece
            // Whole lines that this piece completed.
            var start = lines.last?.end ?? 0
            var offset = before
            for byte in piece.utf8 {
                offset += 1
                if byte == UInt8(ascii: "\n") {
                    lines.append((line(from: start, to: offset - 1), offset))
                    start = offset
                }
            }
            // The lines that repeat the line k before them, counted back from the last (for any block of k lines),
            // are held; the longest such tail decides.
            let repeating = (1...RepeatedLines.longestBlock).map(trailingRepeats).max() ?? 0
            var holdFrom = lines.count > repeating ? lines[lines.count - repeating - 1].end : 0
            if repeating == 0 {
                let partial = line(from: start, to: text.utf8.count)
                let couldRepeat = lines.suffix(RepeatedLines.longestBlock).contains { $0.text.hasPrefix(partial) }
                if !couldRepeat { holdFrom = text.utf8.count }
            }
            return show(upTo: holdFrom)
        }

        /// The answer was stopped for repeating itself after `rest` (what other hold-backs still had): what is left
        /// to show of its first copy.
        mutating func stop(adding rest: String) -> String {
            text += rest
            guard let end = RepeatedLines.endOfFirstCopy(in: text) else { return "" }
            return show(upTo: text.utf8.distance(from: text.startIndex, to: end))
        }

        /// What is still held, at the end of an answer that did not loop.
        mutating func finish() -> String {
            show(upTo: text.utf8.count)
        }

        private func trailingRepeats(block: Int) -> Int {
            var count = 0
            while count < lines.count - block, lines[lines.count - 1 - count].text == lines[lines.count - 1 - count - block].text {
                count += 1
            }
            return count
        }

        /// `text` between two UTF-8 offsets (at line breaks or the ends of pieces, so whole characters).
        private func slice(from start: Int, to end: Int) -> String {
            let utf8 = text.utf8
            return String(utf8[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)]) ?? ""
        }

        private func line(from start: Int, to end: Int) -> String {
            slice(from: start, to: end).trimmingCharacters(in: .whitespaces)
        }

        private mutating func show(upTo end: Int) -> String {
            guard end > shown else { return "" }
            defer { shown = end }
            return slice(from: shown, to: end)
        }
    }
}
