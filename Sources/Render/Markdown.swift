/// Light Markdown for chat answers: headings, bold, inline code and code blocks, bullet and numbered lists, quotes,
/// rules, links shown as "text (url)", and pipe tables laid out like tool tables. Anything else is plain text.
/// Input must already be sanitised (see `Sanitizer`).
public enum Markdown {
    public static func lines(_ text: String, width: Int) -> [StyledLine] {
        let width = max(8, width)
        var output: [StyledLine] = []
        var inCode = false
        let source = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < source.count {
            let line = source[index]
            let trimmed = line.trimmingSpaces()
            index += 1
            if trimmed.hasPrefix("```") {
                inCode.toggle()
                continue
            }
            if inCode {
                output += TextWrap.wrap(line, tone: .code, width: width - 2).map { $0.prefixed("  ") }
                continue
            }
            if trimmed.hasPrefix("|") {
                // A pipe table: this line and the following ones that start with "|".
                var rows = [trimmed]
                while index < source.count, source[index].trimmingSpaces().hasPrefix("|") {
                    rows.append(source[index].trimmingSpaces())
                    index += 1
                }
                output += pipeTable(rows, width: width)
                continue
            }
            if trimmed.isEmpty {
                output.append(StyledLine())
                continue
            }
            if trimmed.allSatisfy({ $0 == "-" || $0 == "*" || $0 == "_" }) && trimmed.count >= 3 {
                output.append(StyledLine(String(repeating: "─", count: min(width, 40)), .muted))
                continue
            }
            if let heading = headingText(trimmed) {
                output += TextWrap.wrap(inline(heading, base: .heading), width: width)
                continue
            }
            if let (marker, rest) = listItem(line) {
                let indent = String(repeating: " ", count: DisplayWidth.of(marker))
                let wrapped = TextWrap.wrap(inline(rest, base: .normal), width: width - DisplayWidth.of(marker))
                for (number, wrappedLine) in wrapped.enumerated() {
                    output.append(wrappedLine.prefixed(number == 0 ? marker : indent, number == 0 ? .accent : .normal))
                }
                continue
            }
            if trimmed.hasPrefix(">") {
                let quoted = String(trimmed.dropFirst()).trimmingSpaces()
                output += TextWrap.wrap(inline(quoted, base: .muted), width: width - 2).map { $0.prefixed("│ ", .muted) }
                continue
            }
            output += TextWrap.wrap(inline(line, base: .normal), width: width)
        }
        return output
    }

    static func headingText(_ line: String) -> String? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return String(line.dropFirst(hashes + 1))
    }

    /// "- item", "* item", "+ item" become "• item"; "3. item" keeps its number. Nested lists keep their indent.
    static func listItem(_ line: String) -> (marker: String, rest: String)? {
        let indentCount = line.prefix { $0 == " " }.count
        let indent = String(repeating: " ", count: min(indentCount, 8))
        let body = line.dropFirst(indentCount)
        if let first = body.first, "-*+".contains(first), body.dropFirst().first == " " {
            return (indent + "• ", String(body.dropFirst(2)))
        }
        let digits = body.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, digits.count <= 3, body.dropFirst(digits.count).hasPrefix(". ") {
            return (indent + digits + ". ", String(body.dropFirst(digits.count + 2)))
        }
        return nil
    }

    /// Bold, inline code and links within one line.
    public static func inline(_ text: String, base: Tone) -> [StyledSpan] {
        var spans: [StyledSpan] = []
        var plain = ""
        var rest = Substring(text)
        func flush() {
            if !plain.isEmpty { spans.append(StyledSpan(plain, base)); plain = "" }
        }
        while let character = rest.first {
            if rest.hasPrefix("**") || rest.hasPrefix("__"), let end = rest.dropFirst(2).range(of: String(rest.prefix(2))) {
                let inner = rest[rest.index(rest.startIndex, offsetBy: 2)..<end.lowerBound]
                if !inner.isEmpty {
                    flush()
                    spans.append(StyledSpan(String(inner), .strong))
                    rest = rest[end.upperBound...]
                    continue
                }
            }
            if character == "`", let end = rest.dropFirst().firstIndex(of: "`") {
                flush()
                spans.append(StyledSpan(String(rest[rest.index(after: rest.startIndex)..<end]), .code))
                rest = rest[rest.index(after: end)...]
                continue
            }
            if character == "[", let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix("("),
                let paren = rest[close...].firstIndex(of: ")")
            {
                let label = rest[rest.index(after: rest.startIndex)..<close]
                let url = rest[rest.index(close, offsetBy: 2)..<paren]
                flush()
                spans.append(StyledSpan(String(label), .link))
                if !url.isEmpty && url != label { spans.append(StyledSpan(" (\(url))", .muted)) }
                rest = rest[rest.index(after: paren)...]
                continue
            }
            plain.append(character)
            rest = rest.dropFirst()
        }
        flush()
        return spans
    }

    /// "| a | b |" rows, the second usually a "|---|---|" rule, as a laid-out table.
    static func pipeTable(_ rows: [String], width: Int) -> [StyledLine] {
        func cells(_ row: String) -> [String] {
            var inner = row.trimmingSpaces()
            if inner.hasPrefix("|") { inner.removeFirst() }
            if inner.hasSuffix("|") { inner.removeLast() }
            return inner.split(separator: "|", omittingEmptySubsequences: false).map {
                plainText(String($0).trimmingSpaces())
            }
        }
        let parsed = rows.map(cells)
        let isRule = { (row: [String]) in row.allSatisfy { !$0.isEmpty && $0.allSatisfy { "-:".contains($0) } } }
        guard let header = parsed.first else { return [] }
        let body = parsed.dropFirst().filter { !isRule($0) }
        let alignments: [Table.Alignment] = parsed.count > 1 && isRule(parsed[1])
            ? cells(rows[1]).map { $0.hasSuffix(":") && !$0.hasPrefix(":") ? .right : .left } : []
        let columns = header.enumerated().map { index, title in
            Table.Column(title, alignment: index < alignments.count ? alignments[index] : .left, shrinkable: true)
        }
        let normalised = body.map { row in (0..<columns.count).map { $0 < row.count ? row[$0] : "" } }
        let table = Table(columns: columns, rows: normalised)
        return TableLayout.lines(table, width: width).enumerated().map { index, line in
            StyledLine(line, index == 0 ? .strong : index == 1 ? .muted : .normal)
        }
    }

    /// The text of inline Markdown without its markers.
    static func plainText(_ text: String) -> String {
        inline(text, base: .normal).map(\.text).joined()
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
