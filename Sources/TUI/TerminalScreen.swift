import CNcursesw
import Foundation
import Render

/// Paints cell buffers with ncurses and reads raw input bytes. The only part of the TUI that touches the terminal:
/// everything it draws was decided by `ScreenRenderer`.
final class TerminalScreen {
    private(set) var rows: Int
    private(set) var columns: Int
    private var previous: CellBuffer?
    private let colors: Bool
    let glyphs: Glyphs
    private var attributes: [Tone: attr_t] = [:]

    /// Sequences that turn on bracketed paste and SGR mouse-wheel reports, and turn them off again.
    static let enableModes = "\u{1B}[?2004h\u{1B}[?1000h\u{1B}[?1006h"
    static let disableModes = "\u{1B}[?1006l\u{1B}[?1000l\u{1B}[?2004l"

    init() throws {
        glyphs = Glyphs.forLocale()
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError("The chat needs a terminal. For scripts use `ledgerchat ask \"…\"`.")
        }
        TerminalRestore.save()
        guard initscr() != nil else { throw TerminalError("Could not start the terminal screen (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset")).") }
        raw()
        noecho()
        nonl()
        intrflush(lc_stdscr(), false)
        let noColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        colors = !noColor && has_colors()
        if colors {
            start_color()
            use_default_colors()
        }
        rows = Int(lc_lines())
        columns = Int(lc_cols())
        setUpAttributes()
        TerminalRestore.write(Self.enableModes)
        TerminalRestore.active = true
    }

    private func setUpAttributes() {
        let bold = lc_attr_bold(), dim = lc_attr_dim(), reverse = lc_attr_reverse(), underline = lc_attr_underline()
        func pair(_ number: Int16, _ foreground: Int16) -> attr_t {
            guard colors else { return 0 }
            init_pair(number, foreground, -1)
            return lc_color_pair(number)
        }
        let cyan = pair(1, Int16(COLOR_CYAN)), green = pair(2, Int16(COLOR_GREEN)), yellow = pair(3, Int16(COLOR_YELLOW))
        let red = pair(4, Int16(COLOR_RED)), blue = pair(5, Int16(COLOR_BLUE))
        attributes = [
            .normal: 0, .strong: bold, .muted: dim, .heading: bold | cyan, .code: yellow, .link: underline | blue,
            .user: bold, .accent: cyan, .success: green, .warning: bold | yellow, .danger: bold | red,
            .statusBar: reverse, .selected: reverse | cyan, .cursor: reverse,
        ]
        if !colors {
            // Without colour, tones that differ only by colour still need to stand apart.
            attributes[.danger] = bold | underline
            attributes[.warning] = bold
            attributes[.heading] = bold | underline
        }
    }

    /// Asks the terminal for its size; after a change ncurses is told and the next paint redraws everything.
    func refreshSize() -> Bool {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 else { return false }
        let newRows = Int(size.ws_row), newColumns = Int(size.ws_col)
        guard newRows != rows || newColumns != columns else { return false }
        resizeterm(Int32(newRows), Int32(newColumns))
        rows = newRows
        columns = newColumns
        previous = nil
        return true
    }

    func forceFullRedraw() {
        previous = nil
        _ = lc_clearok_stdscr(1)
    }

    /// Paints the rows that changed since the last paint, in runs of one tone.
    func paint(_ buffer: CellBuffer) {
        let full = previous == nil || previous!.rows != buffer.rows || previous!.columns != buffer.columns
        if full { erase() }
        for row in 0..<buffer.rows {
            let start = row * buffer.columns
            let cells = buffer.cells[start..<(start + buffer.columns)]
            if !full, let previous, previous.cells[start..<(start + buffer.columns)] == cells { continue }
            var column = 0
            var runStart = 0
            var runText = ""
            var runTone: Tone? = nil
            func flush() {
                guard let tone = runTone, !runText.isEmpty else { return }
                _ = lc_attrset(attributes[tone] ?? 0)
                _ = lc_mvaddstr(Int32(row), Int32(runStart), runText)
            }
            for cell in cells {
                defer { column += 1 }
                if cell.text.isEmpty { continue }  // the right half of a wide character
                if cell.tone != runTone {
                    flush()
                    runStart = column
                    runText = ""
                    runTone = cell.tone
                }
                runText += glyphs == .ascii ? Glyphs.ascii(cell.text) : cell.text
            }
            flush()
        }
        _ = lc_attrset(lc_attr_normal())
        if let cursor = buffer.cursor {
            curs_set(1)
            _ = lc_move(Int32(cursor.row), Int32(cursor.column))
        } else {
            curs_set(0)
        }
        refresh()
        previous = buffer
    }

    /// Reads what is available on stdin (non-blocking after poll said so).
    func readInput() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = read(STDIN_FILENO, &bytes, bytes.count)
        return count > 0 ? Array(bytes[0..<count]) : []
    }

    func shutDown() {
        TerminalRestore.write(Self.disableModes)
        endwin()
        TerminalRestore.active = false
    }

    /// Writes a sequence straight to the terminal (OSC 52 clipboard), outside ncurses' screen model.
    func writeRaw(_ text: String) { TerminalRestore.write(text) }
}

/// Puts the terminal back the way it was when the process is killed mid-chat (SIGTERM, SIGHUP), where ncurses'
/// own cleanup never runs.
enum TerminalRestore {
    // Written once on the UI thread before the handlers can run, then only read by them: no data race in practice,
    // and a signal handler cannot take a lock anyway.
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var active = false

    static func save() { tcgetattr(STDIN_FILENO, &saved) }

    /// Async-signal-safe: write(2) and tcsetattr(3) only.
    static func restoreFromSignal() {
        guard active else { return }
        write(TerminalScreen.disableModes + "\u{1B}[?1049l\u{1B}[?25h\r\n")
        tcsetattr(STDIN_FILENO, TCSANOW, &saved)
    }

    static func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in _ = Foundation.write(STDOUT_FILENO, buffer.baseAddress, buffer.count) }
    }
}

/// The terminal cannot be used, and what to do instead.
public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
