import Agent
import Foundation
import Render

/// One terminal cell: a character (grapheme cluster) and its tone. The cell right of a wide character holds "".
public struct Cell: Sendable, Equatable {
    public var text: String
    public var tone: Tone

    public static let blank = Cell(text: " ", tone: .normal)
}

/// The whole screen as cells: what `ScreenRenderer` draws and the terminal front end paints.
public struct CellBuffer: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var cells: [Cell]
    /// Where the terminal cursor goes (the input's insertion point), or nil to hide it.
    public var cursor: (row: Int, column: Int)?

    public init(rows: Int, columns: Int) {
        self.rows = max(0, rows)
        self.columns = max(0, columns)
        cells = Array(repeating: .blank, count: self.rows * self.columns)
    }

    public static func == (lhs: CellBuffer, rhs: CellBuffer) -> Bool {
        lhs.rows == rhs.rows && lhs.columns == rhs.columns && lhs.cells == rhs.cells && lhs.cursor?.row == rhs.cursor?.row
            && lhs.cursor?.column == rhs.cursor?.column
    }

    /// Draws a line at a row from a column, cut at the right edge (a wide character that does not fit becomes a
    /// space); `fill` paints the rest of the row in a tone.
    public mutating func draw(_ line: StyledLine, row: Int, column: Int = 0, fill: Tone? = nil) {
        guard row >= 0 && row < rows else { return }
        var x = max(0, column)
        let base = row * columns
        outer: for span in line.spans {
            for character in span.text {
                let width = DisplayWidth.of(String(character))
                if width == 0 {
                    // A combining mark joins the previous cell's character.
                    if x > 0 { cells[base + x - 1].text.append(character) }
                    continue
                }
                if x + width > columns {
                    while x < columns { cells[base + x] = Cell(text: " ", tone: span.tone); x += 1 }
                    break outer
                }
                cells[base + x] = Cell(text: String(character), tone: span.tone)
                if width == 2 { cells[base + x + 1] = Cell(text: "", tone: span.tone) }
                x += width
            }
        }
        if let fill {
            while x < columns { cells[base + x] = Cell(text: " ", tone: fill); x += 1 }
        }
    }

    /// The text of a row, trailing spaces removed (tests and the benchmark read the screen this way).
    public func text(row: Int) -> String {
        guard row >= 0 && row < rows else { return "" }
        var line = cells[(row * columns)..<((row + 1) * columns)].map(\.text).joined()
        while line.last == " " { line.removeLast() }
        return line
    }

    public var text: String { (0..<rows).map { text(row: $0) }.joined(separator: "\n") }
}

/// Remembers each entry's lines for a width, so redrawing a long transcript only lays out what changed.
public final class LayoutCache {
    private struct Key: Hashable {
        var id: Int
        var developerView: Bool
        var selected: Bool
    }

    private var stored: [Key: (revision: Int, lines: [StyledLine])] = [:]
    private var width = 0

    public init() {}

    func lines(for entry: Entry, width: Int, developerView: Bool, selected: Bool) -> [StyledLine] {
        // Only one width is drawn at a time: after a resize the old layouts are of no use.
        if width != self.width {
            stored = [:]
            self.width = width
        }
        let key = Key(id: entry.id, developerView: developerView && entry.isTool, selected: selected)
        if let cached = stored[key], cached.revision == entry.revision { return cached.lines }
        let lines = TranscriptLayout.lines(entry, width: width, developerView: developerView, selected: selected)
        stored[key] = (entry.revision, lines)
        return lines
    }
}

/// Draws the whole screen from the state: status bar, transcript (with the trace pane when open), approval card,
/// input and key hints. Pure apart from the layout cache.
public struct ScreenRenderer {
    public let cache: LayoutCache

    public init(cache: LayoutCache = LayoutCache()) {
        self.cache = cache
    }

    public static let minimumSize = (rows: 10, columns: 40)

    public func render(_ state: inout ChatState, rows: Int, columns: Int) -> CellBuffer {
        var buffer = CellBuffer(rows: rows, columns: columns)
        guard rows >= Self.minimumSize.rows && columns >= Self.minimumSize.columns else {
            buffer.draw(StyledLine("Window too small: ledgerchat needs at least \(Self.minimumSize.columns)×\(Self.minimumSize.rows).", .warning), row: 0)
            return buffer
        }
        // Status bar.
        buffer.draw(statusLine(state.status, width: columns), row: 0, fill: .statusBar)

        // Input: up to a third of the screen, the cursor line kept visible.
        let layout = state.editor.layout(width: columns, prompt: "› ")
        let inputHeight = min(layout.lines.count, max(1, rows / 3))
        let firstInputLine = max(0, min(layout.cursorRow - inputHeight + 1, layout.lines.count - inputHeight))
        let hintRow = rows - 1
        let inputTop = hintRow - inputHeight
        let ruleRow = inputTop - 1
        for (offset, line) in layout.lines[firstInputLine..<(firstInputLine + inputHeight)].enumerated() {
            let tone: Tone = state.turnRunning || state.approval != nil ? .muted : .normal
            var styled = StyledLine(line, tone)
            if offset == 0 && firstInputLine == 0 {
                styled = StyledLine([StyledSpan("›", .accent), StyledSpan(String(line.dropFirst()), tone)])
            }
            buffer.draw(styled, row: inputTop + offset)
        }
        if state.approval == nil && state.selection == nil {
            buffer.cursor = (inputTop + layout.cursorRow - firstInputLine, min(columns - 1, layout.cursorColumn))
        }
        buffer.draw(StyledLine(String(repeating: "─", count: columns), .muted), row: ruleRow)
        buffer.draw(hintLine(state, width: columns), row: hintRow)

        // Transcript area, with the trace pane below it when open.
        let transcriptTop = 1
        var transcriptBottom = ruleRow  // exclusive
        if let approval = state.approval {
            let card = approvalCard(approval, width: columns)
            let cardTop = max(transcriptTop + 1, ruleRow - card.count)
            for (index, line) in card.prefix(ruleRow - cardTop).enumerated() { buffer.draw(line, row: cardTop + index, fill: .normal) }
            transcriptBottom = cardTop
        }
        if state.traceVisible {
            let paneHeight = max(3, (transcriptBottom - transcriptTop) / 3)
            let paneTop = transcriptBottom - paneHeight
            buffer.draw(StyledLine("─ trace (/trace hides) " + String(repeating: "─", count: columns), .muted), row: paneTop)
            let visible = state.traceLines.suffix(paneHeight - 1)
            for (index, line) in visible.enumerated() {
                buffer.draw(StyledLine(DisplayWidth.truncate(line, to: columns), .code), row: paneTop + 1 + index)
            }
            transcriptBottom = paneTop
        }
        let height = max(1, transcriptBottom - transcriptTop)
        state.transcriptHeight = height
        let lines = visibleTranscript(&state, width: columns - 1, height: height)
        for (index, line) in lines.enumerated() { buffer.draw(line, row: transcriptTop + index) }
        if state.scrollOffset > 0 {
            let marker = " ↓ \(state.scrollOffset) more lines below · PgDn "
            buffer.draw(StyledLine(marker, .statusBar), row: transcriptBottom - 1, column: max(0, columns - DisplayWidth.of(marker)))
        }
        return buffer
    }

    /// The transcript lines that fit, walking back from the newest entry (so a 1,000-message transcript only lays
    /// out the entries on screen). Clamps the scroll offset at the top; keeps a selected tool call in view.
    func visibleTranscript(_ state: inout ChatState, width: Int, height: Int) -> [StyledLine] {
        if let selection = state.selection, state.entries.indices.contains(selection) {
            // Scroll so the selected entry starts on screen: count the lines below its start.
            var below = 0
            for index in stride(from: state.entries.count - 1, through: selection, by: -1) {
                below += entryLines(state, index, width: width).count + gap(state, before: index)
            }
            let entryHeight = entryLines(state, selection, width: width).count
            state.scrollOffset = max(0, below - min(entryHeight, height) - gap(state, before: selection))
            if below <= height { state.scrollOffset = 0 }
        }
        let needed = height + state.scrollOffset
        var collected: [StyledLine] = []
        var index = state.entries.count - 1
        while index >= 0 && collected.count < needed {
            var block = entryLines(state, index, width: width)
            if index > 0 && gap(state, before: index) > 0 { block.insert(StyledLine(), at: 0) }
            collected.insert(contentsOf: block, at: 0)
            index -= 1
        }
        if collected.count < needed { state.scrollOffset = max(0, collected.count - height) }
        let end = collected.count - state.scrollOffset
        let start = max(0, end - height)
        return Array(collected[start..<end])
    }

    private func entryLines(_ state: ChatState, _ index: Int, width: Int) -> [StyledLine] {
        cache.lines(for: state.entries[index], width: width, developerView: state.developerView, selected: state.selection == index)
    }

    /// A blank line between entries, except between consecutive tool calls.
    private func gap(_ state: ChatState, before index: Int) -> Int {
        guard index > 0 else { return 0 }
        return state.entries[index].isTool && state.entries[index - 1].isTool ? 0 : 1
    }

    func statusLine(_ status: StatusFigures, width: Int) -> StyledLine {
        var parts = [" ledgerchat", "model \(status.model)"]
        if status.serversTotal > 0 {
            parts.append(status.serversUp == status.serversTotal
                ? "servers \(status.serversUp)/\(status.serversTotal) up" : "servers \(status.serversUp)/\(status.serversTotal) up ⚠")
        }
        if let toolset = status.toolset { parts.append("toolset \(toolset)") }
        parts.append("tokens \(grouped(status.inputTokens)) in · \(grouped(status.outputTokens)) out")
        if let cost = status.cost { parts.append(String(format: "$%.4f", cost)) }
        if let started = status.turnStarted {
            parts.append(String(format: "%.1f s…", Double((ContinuousClock.now - started).wholeMilliseconds) / 1000))
        } else if let last = status.lastTurnSeconds {
            parts.append(String(format: "%.1f s", last))
        }
        return StyledLine(joinedWhileFitting(parts, separator: " │ ", width: width), .statusBar)
    }

    /// As many leading parts as fit the width, joined; the rest are left off rather than cut mid-word.
    func joinedWhileFitting(_ parts: [String], separator: String, width: Int) -> String {
        var text = ""
        for part in parts {
            let candidate = text.isEmpty ? part : text + separator + part
            if DisplayWidth.of(candidate) > width { break }
            text = candidate
        }
        return text
    }

    func hintLine(_ state: ChatState, width: Int) -> StyledLine {
        if let flash = state.flash { return StyledLine(DisplayWidth.truncate(flash, to: width), .warning) }
        if let activity = state.activity, state.turnRunning, state.approval == nil {
            return StyledLine(DisplayWidth.truncate(activity + " · Esc cancels", to: width), .accent)
        }
        let completions = SlashCommand.completions(for: state.editor.text)
        let hints: [String]
        if state.approval != nil {
            hints = ["y allow", "n refuse"]
        } else if !completions.isEmpty && state.editor.text.count > 0 {
            hints = ["Tab completes:"] + completions.map { "/" + $0 }
        } else if state.selection != nil {
            hints = ["Enter open/close", "v raw JSON", "← → scroll", "[ ] page", "Tab next", "Esc back"]
        } else if state.turnRunning {
            hints = ["Esc/Ctrl-C cancel", "PgUp/PgDn scroll"]
        } else {
            hints = ["Enter send", "Alt-Enter new line", "↑↓ history", "Tab tool calls", "PgUp/PgDn scroll", "/help", "Ctrl-D quit"]
        }
        return StyledLine(joinedWhileFitting(hints, separator: " · ", width: width), .muted)
    }

    func approvalCard(_ request: ApprovalRequest, width: Int) -> [StyledLine] {
        let tone: Tone = request.destructive ? .danger : .warning
        let inner = width - 4
        var lines: [StyledLine] = [StyledLine("┌─ " + (request.destructive ? "Destructive change: approve?" : "Approve this change?") + " " + String(repeating: "─", count: max(0, width - 34)), tone)]
        var body: [StyledLine] = TextWrap.wrap(request.sentence, tone: request.destructive ? .danger : .strong, width: inner)
        let labelWidth = min(20, (request.arguments.keys.map { TableRenderer.humanize($0).count }.max() ?? 0) + 1)
        for key in request.arguments.keys.sorted() {
            let label = TableRenderer.humanize(key) + ":"
            let padded = label + String(repeating: " ", count: max(1, labelWidth - label.count + 1))
            let value = Sanitizer.clean(TranscriptLayout.describe(request.arguments[key]!), keepNewlines: false)
            body += TextWrap.wrap([StyledSpan(padded, .muted), StyledSpan(value)], width: inner)
        }
        body.append(StyledLine([StyledSpan("[y]es", .success), StyledSpan("  /  "), StyledSpan("[n]o", .danger), StyledSpan("   (\(request.toolName) on \(request.server))", .muted)]))
        lines += body.map { StyledLine([StyledSpan("│ ", tone)] + $0.spans) }
        lines.append(StyledLine("└" + String(repeating: "─", count: max(0, width - 2)), tone))
        return lines
    }

    func grouped(_ number: Int) -> String {
        var digits = String(number)
        var result = ""
        while digits.count > 3 {
            result = "," + digits.suffix(3) + result
            digits.removeLast(3)
        }
        return digits + result
    }
}

/// Characters the screen uses for rules and markers: Unicode, or ASCII when the locale is not UTF-8.
public enum Glyphs: Sendable {
    case unicode, ascii

    /// What the user's locale can show (it is set from the environment first, as the terminal screen needs).
    public static func forLocale() -> Glyphs {
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET))).uppercased()
        return codeset.contains("UTF-8") || codeset.contains("UTF8") ? .unicode : .ascii
    }

    /// An ASCII stand-in of the same width for a character the terminal cannot show.
    public static func ascii(_ character: String) -> String {
        if character.allSatisfy(\.isASCII) { return character }
        switch character {
        case "─", "━": return "-"
        case "│": return "|"
        case "┌", "┐", "└", "┘": return "+"
        case "▸", "›", "→": return ">"
        case "▾", "↓": return "v"
        case "←": return "<"
        case "•": return "*"
        case "…", "⋯": return "."
        case "✓": return "+"
        case "✗": return "x"
        case "▍": return "_"
        case "€": return "E"
        case "–", "—": return "-"
        case "·": return "."
        case "ä": return "a"
        case "ö": return "o"
        case "ü": return "u"
        case "Ä": return "A"
        case "Ö": return "O"
        case "Ü": return "U"
        case "ß": return "s"
        default: return DisplayWidth.of(character) == 2 ? "??" : "?"
        }
    }
}
