import Foundation

/// A key press or input event, decoded from the terminal's bytes.
public enum Key: Sendable, Equatable {
    case character(Character)
    case enter
    /// Alt-Enter (ESC CR) or Ctrl-J: a new line in the input without sending.
    case newline
    case backspace, delete
    case left, right, up, down, home, end
    case wordLeft, wordRight
    case pageUp, pageDown
    case tab, shiftTab
    case escape
    /// Ctrl-letter, as the lowercase letter ("c" for Ctrl-C).
    case control(Character)
    /// Alt-Backspace or Ctrl-W.
    case deleteWordBack
    /// Text pasted with bracketed paste: inserted as is, never sent by its newlines.
    case paste(String)
    case wheelUp, wheelDown
}

/// Turns terminal input bytes into keys: UTF-8 text, CSI and SS3 sequences (xterm, screen and tmux spellings),
/// SGR mouse wheel reports and bracketed paste. Pure, so every sequence is unit-tested. A lone ESC is ambiguous
/// (it starts every sequence): it is held until `flush()` is called after a short quiet period.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []
    private var pasting = false
    private var pasted: [UInt8] = []

    static let pasteEnd: [UInt8] = Array("\u{1B}[201~".utf8)

    public init() {}

    /// Whether bytes are waiting for more (an ESC alone, a partial sequence).
    public var hasPending: Bool { !pending.isEmpty }

    public mutating func feed(_ bytes: [UInt8]) -> [Key] {
        pending += bytes
        var keys: [Key] = []
        while !pending.isEmpty {
            if pasting {
                guard let end = find(Self.pasteEnd, in: pending) else {
                    // Keep what could be the start of the end marker for the next read.
                    let keep = (1..<Self.pasteEnd.count).reversed().first { pending.suffix($0).elementsEqual(Self.pasteEnd.prefix($0)) } ?? 0
                    pasted += pending.dropLast(keep)
                    pending = Array(pending.suffix(keep))
                    return keys
                }
                pasted += pending[..<end]
                pending.removeFirst(end + 6)
                pasting = false
                let text = String(decoding: pasted, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
                    .replacingOccurrences(of: "\r", with: "\n")
                pasted = []
                keys.append(.paste(text))
                continue
            }
            guard let (key, used) = decodeOne(pending) else { break }
            pending.removeFirst(used)
            if let key { keys.append(key) }
        }
        return keys
    }

    /// After a quiet period: a held ESC is the Escape key, a partial sequence is dropped.
    public mutating func flush() -> [Key] {
        if pasting { return [] }
        defer { pending = [] }
        return pending == [0x1B] ? [.escape] : []
    }

    /// One key from the front of `bytes`, with how many bytes it used; nil when more bytes are needed. A nil key
    /// with a count means bytes that are consumed silently (unknown sequences, focus reports).
    private mutating func decodeOne(_ bytes: [UInt8]) -> (Key?, Int)? {
        let first = bytes[0]
        switch first {
        case 0x0D: return (.enter, 1)
        case 0x0A: return (.newline, 1)
        case 0x09: return (.tab, 1)
        case 0x7F, 0x08: return (.backspace, 1)
        case 0x17: return (.deleteWordBack, 1)
        case 0x1B: return decodeEscape(bytes)
        case 0x01...0x1A: return (.control(Character(Unicode.Scalar(first + 0x60))), 1)
        case 0x00, 0x1C...0x1F: return (nil, 1)
        default: return decodeUTF8(bytes)
        }
    }

    private func decodeUTF8(_ bytes: [UInt8]) -> (Key?, Int)? {
        let first = bytes[0]
        let length = first < 0x80 ? 1 : first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 0
        guard length > 0 else { return (nil, 1) }  // a stray continuation byte
        guard bytes.count >= length else { return nil }
        let text = String(decoding: bytes[0..<length], as: UTF8.self)
        guard let character = text.first, text.unicodeScalars.first?.value != 0xFFFD else { return (nil, length) }
        return (.character(character), length)
    }

    private mutating func decodeEscape(_ bytes: [UInt8]) -> (Key?, Int)? {
        guard bytes.count >= 2 else { return nil }
        let second = bytes[1]
        switch second {
        case 0x5B:  // CSI
            guard let finalIndex = bytes.dropFirst(2).firstIndex(where: { (0x40...0x7E).contains($0) }) else {
                return bytes.count > 32 ? (nil, bytes.count) : nil
            }
            let parameters = String(decoding: bytes[2..<finalIndex], as: UTF8.self)
            let final = bytes[finalIndex]
            return (csiKey(parameters: parameters, final: final), finalIndex + 1)
        case 0x4F:  // SS3: application cursor keys
            guard bytes.count >= 3 else { return nil }
            let map: [UInt8: Key] = [0x41: .up, 0x42: .down, 0x43: .right, 0x44: .left, 0x48: .home, 0x46: .end, 0x4D: .enter]
            return (map[bytes[2]], 3)
        case 0x0D, 0x0A: return (.newline, 2)
        case 0x7F, 0x08: return (.deleteWordBack, 2)
        case 0x1B: return (.escape, 1)
        case 0x62: return (.wordLeft, 2)  // Alt-b
        case 0x66: return (.wordRight, 2)  // Alt-f
        default:
            // Alt-letter we do not use: the letter alone would surprise; drop both.
            if second < 0x80 { return (nil, 2) }
            return (.escape, 1)
        }
    }

    private mutating func csiKey(parameters: String, final: UInt8) -> Key? {
        if parameters.hasPrefix("<") && (final == 0x4D || final == 0x6D) {
            // SGR mouse: <button;x;y M/m. 64 and 65 are the wheel; clicks are ignored.
            let button = Int(parameters.dropFirst().split(separator: ";").first ?? "") ?? -1
            if button & ~0b11100 == 64 { return .wheelUp }
            if button & ~0b11100 == 65 { return .wheelDown }
            return nil
        }
        let fields = parameters.split(separator: ";").map { Int($0) ?? 0 }
        let modifier = fields.count > 1 ? fields[1] : 1
        let control = modifier == 5 || modifier == 3  // Ctrl or Alt with an arrow moves by word
        switch final {
        case 0x41: return .up
        case 0x42: return .down
        case 0x43: return control ? .wordRight : .right
        case 0x44: return control ? .wordLeft : .left
        case 0x48: return .home
        case 0x46: return .end
        case 0x5A: return .shiftTab
        case 0x7E:
            switch fields.first ?? 0 {
            case 1, 7: return .home
            case 4, 8: return .end
            case 3: return .delete
            case 5: return .pageUp
            case 6: return .pageDown
            case 200:
                pasting = true
                return nil
            default: return nil
            }
        default: return nil
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
