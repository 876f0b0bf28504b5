/// Lays tables out as lines of text for a given width: columns sized to their content, text columns shortened with
/// "…" when the table is too wide, trailing columns dropped only when even that is not enough.
public enum TableLayout {
    /// The lines of a table: optional title, header, rule, rows, optional footer.
    public static func lines(_ table: Table, width: Int) -> [String] {
        guard !table.columns.isEmpty else { return [] }
        let gap = 2
        var widths = table.columns.indices.map { index in
            max(DisplayWidth.of(table.columns[index].title), table.rows.map { DisplayWidth.of($0[index]) }.max() ?? 0)
        }
        // Columns shown, in their order; dropped ones leave from the right, numbers (money) last, the first never.
        var visible = Array(table.columns.indices)
        func total() -> Int { visible.map { widths[$0] }.reduce(0, +) + gap * max(0, visible.count - 1) }
        /// Narrows the widest shrinkable column, a cell at a time, while any is wider than `floor`.
        func shrink(to floor: Int) {
            while total() > width {
                let candidates = visible.filter { table.columns[$0].shrinkable && widths[$0] > floor }
                guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { return }
                widths[widest] -= 1
            }
        }
        // Long text gives way first, short identifiers keep their width; then whole columns go; only a single
        // remaining column is cut harder.
        shrink(to: 14)
        while total() > width && visible.count > 1 {
            let droppable = visible.dropFirst()
            let victim = droppable.last { table.columns[$0].alignment == .left } ?? droppable.last!
            visible.removeAll { $0 == victim }
        }
        shrink(to: 14)
        shrink(to: 4)
        func render(_ cells: [String]) -> String {
            visible.map { index in
                let text = DisplayWidth.truncate(cells[index], to: widths[index])
                let padding = String(repeating: " ", count: max(0, widths[index] - DisplayWidth.of(text)))
                return table.columns[index].alignment == .right ? padding + text : text + padding
            }.joined(separator: String(repeating: " ", count: gap)).trimmingTrailingSpaces()
        }
        var lines: [String] = []
        if let title = table.title { lines.append(title) }
        lines.append(render(table.columns.map(\.title)))
        lines.append(visible.map { String(repeating: "─", count: widths[$0]) }.joined(separator: String(repeating: " ", count: gap)))
        lines += table.rows.map(render)
        if visible.count < table.columns.count {
            let hidden = table.columns.indices.filter { !visible.contains($0) }.map { table.columns[$0].title }
            lines.append("(\(hidden.count) more columns need a wider screen: \(hidden.joined(separator: ", ")))")
        }
        if let footer = table.footer { lines.append(footer) }
        return lines
    }
}

/// How many terminal cells text takes: East Asian wide and fullwidth characters and most emoji take two,
/// combining marks none.
public enum DisplayWidth {
    public static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + width(of: $1) }
    }

    static func width(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value == 0 { return 0 }
        if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark
            || value == 0x200D || (0xFE00...0xFE0F).contains(value)
        {
            return 0
        }
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// The longest prefix that fits `width` cells, with "…" when something was cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard of(text) > width else { return text }
        guard width > 1 else { return width == 1 ? "…" : "" }
        var result = ""
        var used = 0
        for character in text {
            let cells = of(String(character))
            if used + cells > width - 1 { break }
            result.append(character)
            used += cells
        }
        return result + "…"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}

extension TableLayout {
    /// The table at its natural width (nothing shortened), for horizontal scrolling.
    public static func naturalLines(_ table: Table) -> [String] {
        lines(table, width: Int.max / 4)
    }

    /// The natural width of a table in cells.
    public static func naturalWidth(_ table: Table) -> Int {
        naturalLines(table).dropFirst(table.title == nil ? 0 : 1).prefix(2).map(DisplayWidth.of).max() ?? 0
    }
}

extension Table {
    /// RFC 4180 CSV: a header row, then the rows as shown, fields quoted when they need it, CRLF line ends.
    public func csv() -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        return ([columns.map(\.title)] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}
