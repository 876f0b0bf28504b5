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
}
