import Agent
import Foundation
import MCP
import Render

/// Lays one transcript entry out as styled lines for a width. Pure; `LayoutCache` keeps the result until the entry
/// or the width changes, so a frame only lays out what changed.
public enum TranscriptLayout {
    /// Rows of a long table shown at a time; [ and ] page.
    public static let pageSize = 20

    public static func lines(_ entry: Entry, width: Int, developerView: Bool, selected: Bool) -> [StyledLine] {
        let width = max(10, width)
        switch entry.kind {
        case .welcome(let welcome):
            var lines = [StyledLine("Welcome to ledgerchat", .heading)]
            lines += TextWrap.wrap(
                "Ask about the books of \(welcome.company) (\(welcome.ledgerDescription)) in your own words. For example:",
                width: width)
            for example in welcome.examples { lines.append(StyledLine([StyledSpan("  • ", .accent), StyledSpan(example, .user)])) }
            lines += TextWrap.wrap("Enter sends · /help lists commands and keys · Ctrl-D leaves", tone: .muted, width: width)
            return lines
        case .user(let text):
            let wrapped = TextWrap.wrap(Sanitizer.clean(text), tone: .user, width: width - 2)
            return wrapped.enumerated().map { index, line in line.prefixed(index == 0 ? "› " : "  ", .accent) }
        case .assistant(let text, let streaming):
            if text.isEmpty && streaming { return [StyledLine("…", .muted)] }
            var lines = Markdown.lines(text, width: width)
            if streaming, !lines.isEmpty { lines[lines.count - 1].spans.append(StyledSpan(" ▍", .accent)) }
            return lines
        case .notice(let text, let tone):
            return Markdown.lines(text, width: width).map { line in
                tone == .muted ? line : StyledLine(line.spans.map { StyledSpan($0.text, $0.tone == .normal ? tone : $0.tone) })
            }
        case .table(let table):
            return tableLines(table, width: width, offset: 0, page: 0)
        case .tool(let block):
            return toolLines(block, width: width, developerView: developerView, selected: selected)
        }
    }

    static func toolLines(_ block: ToolBlock, width: Int, developerView: Bool, selected: Bool) -> [StyledLine] {
        var header: [StyledSpan] = [StyledSpan(block.expanded ? "▾ " : "▸ ", .accent), StyledSpan(block.name, .strong)]
        if block.direct { header.append(StyledSpan(" (direct)", .muted)) }
        let summary = argumentSummary(block)
        if !summary.isEmpty { header.append(StyledSpan(" " + summary, .muted)) }
        if let duration = block.duration { header.append(StyledSpan(" · " + format(duration), .muted)) }
        switch block.status {
        case .running: header.append(StyledSpan(" · running…", .accent))
        case .succeeded: header.append(StyledSpan(" · ✓", .success))
        case .failed: header.append(StyledSpan(" · ✗ failed", .danger))
        case .refused: header.append(StyledSpan(" · refused", .warning))
        }
        var headerLine = StyledLine(header)
        headerLine = StyledLine(DisplayWidth.truncate(headerLine.text, to: width) == headerLine.text ? headerLine.spans : truncate(header, to: width))
        if selected { headerLine = StyledLine(headerLine.spans.map { StyledSpan($0.text, .selected) }) }
        var lines = [headerLine]

        if developerView {
            lines.append(StyledLine("  arguments:", .muted))
            lines += TextWrap.wrap(prettyJSON(block.arguments.map(Value.object)) ?? block.rawArguments, tone: .code, width: width - 4)
                .map { $0.prefixed("    ") }
            lines.append(StyledLine("  result:", .muted))
            let raw = block.structured.flatMap { prettyJSON($0) } ?? block.resultText
            lines += TextWrap.wrap(Sanitizer.clean(raw), tone: .code, width: width - 4).prefix(200).map { $0.prefixed("    ") }
        } else if block.expanded {
            for (key, value) in (block.arguments ?? [:]).sorted(by: { $0.key < $1.key }) {
                lines += TextWrap.wrap([StyledSpan("\(key): ", .muted), StyledSpan(Sanitizer.clean(describe(value)))], width: width - 4)
                    .map { $0.prefixed("    ") }
            }
            if block.status != .running && block.tables.isEmpty {
                lines += TextWrap.wrap(block.resultText, tone: block.status == .succeeded ? .normal : .danger, width: width - 4)
                    .prefix(40).map { $0.prefixed("    ") }
            }
        } else if block.status == .failed || block.status == .refused {
            let first = block.resultText.split(separator: "\n").first.map(String.init) ?? ""
            lines.append(StyledLine("  " + DisplayWidth.truncate(first, to: width - 2), block.status == .refused ? .warning : .danger))
        }
        for table in block.tables {
            lines += tableLines(table, width: width - 2, offset: block.horizontalOffset, page: block.page, selected: selected)
                .map { $0.prefixed("  ") }
        }
        return lines
    }

    /// A table fitted to the width (text shortened with …), or cut from its natural width when scrolled sideways;
    /// long tables show one page with a footer saying how to page.
    static func tableLines(_ table: Table, width: Int, offset: Int, page: Int, selected: Bool = false) -> [StyledLine] {
        var shown = table
        let pages = max(1, (table.rows.count + pageSize - 1) / pageSize)
        let page = min(page, pages - 1)
        if table.rows.count > pageSize {
            let start = page * pageSize
            shown.rows = Array(table.rows[start..<min(table.rows.count, start + pageSize)])
            let range = "rows \(start + 1)–\(start + shown.rows.count) of \(table.rows.count)"
            shown.footer = [table.footer, range + (selected ? " · [ ] page" : " · Tab, then [ ] to page")].compactMap { $0 }.joined(separator: " · ")
        }
        let natural = TableLayout.naturalWidth(shown)
        var texts: [String]
        if offset > 0 && natural > width {
            let clamped = min(offset, natural - width)
            texts = TableLayout.naturalLines(shown).map { DisplayWidth.slice($0, from: clamped, width: width) }
        } else {
            texts = TableLayout.lines(shown, width: width)
            if natural > width && selected { texts.append("→ wider than the screen: ← → scroll") }
        }
        let headerIndex = shown.title == nil ? 0 : 1
        return texts.enumerated().map { index, text in
            let tone: Tone =
                index == headerIndex ? .strong
                : index == headerIndex + 1 ? .muted
                : index < headerIndex ? .heading
                : index >= headerIndex + 2 + shown.rows.count ? .muted : .normal
            return StyledLine(text, tone)
        }
    }

    static func truncate(_ spans: [StyledSpan], to width: Int) -> [StyledSpan] {
        var result: [StyledSpan] = []
        var remaining = width
        for span in spans {
            let spanWidth = DisplayWidth.of(span.text)
            if spanWidth <= remaining {
                result.append(span)
                remaining -= spanWidth
            } else {
                result.append(StyledSpan(DisplayWidth.truncate(span.text, to: remaining), span.tone))
                break
            }
        }
        return result
    }

    /// `limit=5 status="open"`, shortened for the header.
    static func argumentSummary(_ block: ToolBlock) -> String {
        guard let arguments = block.arguments else { return Sanitizer.clean(block.rawArguments, keepNewlines: false) }
        return arguments.keys.sorted().map { key in
            let value = arguments[key]!
            if case .string(let text) = value { return "\(key)=\"\(Sanitizer.clean(text, keepNewlines: false))\"" }
            return "\(key)=\(Sanitizer.clean(describe(value), keepNewlines: false))"
        }.joined(separator: " ")
    }

    public static func describe(_ value: Value) -> String {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return flag ? "yes" : "no"
        case .null: return "—"
        default: return prettyJSON(value, compact: true) ?? ""
        }
    }

    static func prettyJSON(_ value: Value?, compact: Bool = false) -> String? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = compact ? [.sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.wholeMilliseconds
        return milliseconds < 1000 ? "\(milliseconds) ms" : String(format: "%.1f s", Double(milliseconds) / 1000)
    }
}
