import Config
import Foundation
import Render

/// The input being typed: characters (grapheme clusters, so "ü", "東" and "👍🏽" are one step each), a cursor, and
/// several lines when the user adds them with Alt-Enter or pastes them.
public struct LineEditor: Sendable, Equatable {
    public private(set) var characters: [Character] = []
    /// Index into `characters` where the next character goes.
    public private(set) var cursor = 0

    public init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    public var text: String { String(characters) }
    public var isEmpty: Bool { characters.isEmpty }

    public mutating func set(_ text: String) {
        characters = Array(text)
        cursor = characters.count
    }

    public mutating func insert(_ text: String) {
        let inserted = Array(Sanitizer.clean(text))
        characters.insert(contentsOf: inserted, at: cursor)
        cursor += inserted.count
    }

    public mutating func backspace() {
        guard cursor > 0 else { return }
        cursor -= 1
        characters.remove(at: cursor)
    }

    public mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    public mutating func left() { cursor = max(0, cursor - 1) }
    public mutating func right() { cursor = min(characters.count, cursor + 1) }

    /// Home and End work on the current line of a multi-line input.
    public mutating func home() {
        while cursor > 0 && characters[cursor - 1] != "\n" { cursor -= 1 }
    }

    public mutating func end() {
        while cursor < characters.count && characters[cursor] != "\n" { cursor += 1 }
    }

    public mutating func wordLeft() {
        while cursor > 0 && !isWordCharacter(characters[cursor - 1]) { cursor -= 1 }
        while cursor > 0 && isWordCharacter(characters[cursor - 1]) { cursor -= 1 }
    }

    public mutating func wordRight() {
        while cursor < characters.count && !isWordCharacter(characters[cursor]) { cursor += 1 }
        while cursor < characters.count && isWordCharacter(characters[cursor]) { cursor += 1 }
    }

    /// Deletes the word before the cursor and the spaces after it (Ctrl-W, Alt-Backspace).
    public mutating func deleteWordBack() {
        let end = cursor
        wordLeft()
        characters.removeSubrange(cursor..<end)
    }

    /// Ctrl-U: everything before the cursor on its line.
    public mutating func deleteToLineStart() {
        let end = cursor
        home()
        characters.removeSubrange(cursor..<end)
    }

    /// Ctrl-K: everything after the cursor on its line.
    public mutating func deleteToLineEnd() {
        let start = cursor
        end()
        characters.removeSubrange(start..<cursor)
        cursor = start
    }

    /// Moves between lines of a multi-line input, keeping the column; false when already on the first/last line
    /// (then ↑/↓ go through the history).
    public mutating func lineUp() -> Bool { moveLine(by: -1) }
    public mutating func lineDown() -> Bool { moveLine(by: 1) }

    private mutating func moveLine(by step: Int) -> Bool {
        let lines = lineRanges()
        guard let current = lines.firstIndex(where: { $0.contains(cursor) || $0.upperBound == cursor }) else { return false }
        let target = current + step
        guard lines.indices.contains(target) else { return false }
        let column = cursor - lines[current].lowerBound
        cursor = min(lines[target].lowerBound + column, lines[target].upperBound)
        return true
    }

    func lineRanges() -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for (index, character) in characters.enumerated() where character == "\n" {
            ranges.append(start..<index)
            start = index + 1
        }
        ranges.append(start..<characters.count)
        return ranges
    }

    private func isWordCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }

    /// The input laid out in `width` cells with a prompt on the first line: the lines and where the cursor is.
    public func layout(width: Int, prompt: String) -> (lines: [String], cursorRow: Int, cursorColumn: Int) {
        let promptWidth = DisplayWidth.of(prompt)
        let width = max(promptWidth + 2, width)
        var lines: [String] = []
        var line = prompt
        var used = promptWidth
        var cursorRow = 0
        var cursorColumn = promptWidth
        for (index, character) in characters.enumerated() {
            if index == cursor { cursorRow = lines.count; cursorColumn = used }
            if character == "\n" {
                lines.append(line)
                line = String(repeating: " ", count: promptWidth)
                used = promptWidth
                continue
            }
            let cells = max(1, DisplayWidth.of(String(character)))
            if used + cells > width - 1 {
                lines.append(line)
                line = String(repeating: " ", count: promptWidth)
                used = promptWidth
                if index == cursor { cursorRow = lines.count; cursorColumn = used }
            }
            line.append(character)
            used += cells
        }
        if cursor == characters.count { cursorRow = lines.count; cursorColumn = used }
        lines.append(line)
        return (lines, cursorRow, cursorColumn)
    }
}

/// What was sent before, for ↑/↓, kept across runs in a file (one JSON string per line, so multi-line inputs
/// survive).
public struct InputHistory: Sendable {
    public private(set) var entries: [String]
    /// Where ↑/↓ are; nil when editing a new input.
    private var position: Int?
    /// The unsent input, restored when ↓ goes past the newest entry.
    private var draft = ""
    public let path: String?
    public static let limit = 1000

    public init(path: String?) {
        self.path = path
        entries = []
        if let path, let data = FileManager.default.contents(atPath: path) {
            entries = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
                try? JSONDecoder().decode(String.self, from: Data(line.utf8))
            }.suffix(Self.limit).map { $0 }
        }
    }

    public static func defaultPath() -> String {
        StateDirectory.file("history")
    }

    public mutating func add(_ text: String) {
        position = nil
        draft = ""
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, entries.last != text else { return }
        entries.append(text)
        if entries.count > Self.limit { entries.removeFirst(entries.count - Self.limit) }
        guard let path, let encoded = try? JSONEncoder().encode(text) else { return }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(encoded + Data("\n".utf8))
            try? handle.close()
        }
    }

    /// The older entry for ↑, or nil at the oldest.
    public mutating func older(current: String) -> String? {
        guard !entries.isEmpty else { return nil }
        let next: Int
        if let position { next = position - 1 } else { draft = current; next = entries.count - 1 }
        guard next >= 0 else { return nil }
        position = next
        return entries[next]
    }

    /// The newer entry for ↓; past the newest, the draft that was being typed.
    public mutating func newer() -> String? {
        guard let position else { return nil }
        if position + 1 < entries.count {
            self.position = position + 1
            return entries[position + 1]
        }
        self.position = nil
        return draft
    }
}
