/// What a piece of text is, not how it looks: the terminal front end maps tones to colours and attributes (or to
/// plain text under NO_COLOR), so rendering stays pure and testable.
public enum Tone: UInt8, Sendable, Equatable, Hashable {
    case normal, strong, muted, heading, code, link, user, accent, success, warning, danger, statusBar, selected, cursor
}

/// A run of text in one tone.
public struct StyledSpan: Sendable, Equatable {
    public var text: String
    public var tone: Tone

    public init(_ text: String, _ tone: Tone = .normal) {
        self.text = text
        self.tone = tone
    }
}

/// One screen line of styled text.
public struct StyledLine: Sendable, Equatable {
    public var spans: [StyledSpan]

    public init(_ spans: [StyledSpan] = []) { self.spans = spans }
    public init(_ text: String, _ tone: Tone = .normal) { self.spans = text.isEmpty ? [] : [StyledSpan(text, tone)] }

    public var text: String { spans.map(\.text).joined() }
    public var width: Int { spans.reduce(0) { $0 + DisplayWidth.of($1.text) } }

    /// The same line with `prefix` in front, e.g. an indent or a bullet.
    public func prefixed(_ prefix: String, _ tone: Tone = .normal) -> StyledLine {
        StyledLine([StyledSpan(prefix, tone)] + spans)
    }
}

/// Breaks styled text into lines no wider than a width: at spaces where possible, inside a word only when the word
/// alone is wider than the line; a wide character is never split.
public enum TextWrap {
    public static func wrap(_ spans: [StyledSpan], width: Int) -> [StyledLine] {
        let width = max(1, width)
        var lines: [StyledLine] = []
        var current: [StyledSpan] = []
        var used = 0

        func append(_ text: String, _ tone: Tone) {
            if let last = current.last, last.tone == tone {
                current[current.count - 1].text += text
            } else {
                current.append(StyledSpan(text, tone))
            }
        }
        func breakLine() {
            // Trailing spaces at a break carry no information.
            while let last = current.last {
                let trimmed = last.text.trimmingTrailingSpaces()
                if trimmed.isEmpty { current.removeLast(); continue }
                current[current.count - 1].text = trimmed
                break
            }
            lines.append(StyledLine(current))
            current = []
            used = 0
        }

        for span in spans {
            for (index, segment) in span.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if index > 0 { breakLine() }
                for token in tokens(String(segment)) {
                    let tokenWidth = DisplayWidth.of(token)
                    if token == " " {
                        if used > 0 && used + 1 <= width { append(" ", span.tone); used += 1 }
                        continue
                    }
                    if used + tokenWidth <= width {
                        append(token, span.tone)
                        used += tokenWidth
                        continue
                    }
                    if used > 0 && tokenWidth <= width { breakLine() }
                    // A word wider than the line: split it by characters.
                    for character in token {
                        let cells = DisplayWidth.of(String(character))
                        if used + cells > width && used > 0 { breakLine() }
                        append(String(character), span.tone)
                        used += cells
                    }
                }
            }
        }
        if !current.isEmpty || lines.isEmpty { breakLine() }
        return lines
    }

    public static func wrap(_ text: String, tone: Tone = .normal, width: Int) -> [StyledLine] {
        wrap([StyledSpan(text, tone)], width: width)
    }

    /// Words and single spaces, in order.
    static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        var word = ""
        for character in text {
            if character == " " {
                if !word.isEmpty { result.append(word); word = "" }
                result.append(" ")
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { result.append(word) }
        return result
    }
}

extension DisplayWidth {
    /// The cells `[start, start + width)` of a line, for horizontal scrolling: a wide character cut by either edge
    /// becomes a space so columns stay in place.
    public static func slice(_ text: String, from start: Int, width: Int) -> String {
        guard start > 0 || of(text) > width else { return text }
        var result = ""
        var column = 0
        let end = start + width
        for character in text {
            let cells = of(String(character))
            defer { column += cells }
            if column + cells <= start { continue }
            if column >= end { break }
            if column < start || column + cells > end {
                result += String(repeating: " ", count: min(column + cells, end) - max(column, start))
            } else {
                result.append(character)
            }
        }
        return result
    }
}
