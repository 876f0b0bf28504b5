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
        var visible = table.columns.count
        func total() -> Int { widths.prefix(visible).reduce(0, +) + gap * max(0, visible - 1) }
        /// Narrows the widest shrinkable column, a cell at a time, while any is wider than `floor`.
        func shrink(to floor: Int) {
            while total() > width {
                let candidates = (0..<visible).filter { table.columns[$0].shrinkable && widths[$0] > floor }
                guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { return }
                widths[widest] -= 1
            }
        }
        // Long text gives way first, short identifiers keep their width; then columns go from the right;
        // only a single remaining column is cut harder.
        shrink(to: 14)
        while total() > width && visible > 1 { visible -= 1 }
        shrink(to: 14)
        shrink(to: 4)
        func render(_ cells: [String]) -> String {
            (0..<visible).map { index in
                let text = DisplayWidth.truncate(cells[index], to: widths[index])
                let padding = String(repeating: " ", count: max(0, widths[index] - DisplayWidth.of(text)))
                return table.columns[index].alignment == .right ? padding + text : text + padding
            }.joined(separator: String(repeating: " ", count: gap)).trimmingTrailingSpaces()
        }
        var lines: [String] = []
        if let title = table.title { lines.append(title) }
        lines.append(render(table.columns.map(\.title)))
        lines.append((0..<visible).map { String(repeating: "─", count: widths[$0]) }.joined(separator: String(repeating: " ", count: gap)))
        lines += table.rows.map(render)
        if visible < table.columns.count {
            let hidden = table.columns[visible...].map(\.title).joined(separator: ", ")
            lines.append("(\(table.columns.count - visible) more columns need a wider screen: \(hidden))")
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
