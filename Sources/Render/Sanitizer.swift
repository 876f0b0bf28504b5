/// Makes text from models, tools and servers safe to draw: escape sequences (CSI, OSC, DCS, …), other control
/// characters and bidirectional overrides are removed, so nothing a server sends can move the cursor, retitle the
/// window, write the clipboard or reorder what the user reads.
public enum Sanitizer {
    /// The text without control sequences; tabs become spaces and, unless `keepNewlines`, newlines become spaces.
    public static func clean(_ text: String, keepNewlines: Bool = true) -> String {
        // Fast path: most text has nothing to remove.
        if !text.unicodeScalars.contains(where: isDropped) { return text }
        var output = String.UnicodeScalarView()
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            switch scalar.value {
            case 0x1B:  // ESC: drop the whole sequence it starts
                skipEscapeSequence(&scalars)
            case 0x9B:  // C1 CSI
                skipCSI(&scalars)
            case 0x9D, 0x90, 0x98, 0x9E, 0x9F:  // C1 OSC, DCS, SOS, PM, APC: up to ST or BEL
                skipString(&scalars)
            case 0x0A:
                output.append(keepNewlines ? scalar : " ")
            case 0x09:
                output.append(contentsOf: "    ".unicodeScalars)
            case 0x0D:
                // A lone CR would overwrite the line; CRLF is just a newline.
                if scalars.first?.value != 0x0A { output.append(keepNewlines ? "\n" : " ") }
            default:
                if !isDropped(scalar) { output.append(scalar) }
            }
        }
        return String(output)
    }

    static func isDropped(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || isBidiControl(value)
    }

    static func isBidiControl(_ value: UInt32) -> Bool {
        (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }

    private static func skipEscapeSequence(_ scalars: inout ArraySlice<Unicode.Scalar>) {
        guard let next = scalars.first else { return }
        switch next {
        case "[":
            scalars.removeFirst()
            skipCSI(&scalars)
        case "]", "P", "X", "^", "_":
            scalars.removeFirst()
            skipString(&scalars)
        default:
            // Two- or three-character sequences: ESC, optional intermediates (0x20–0x2F), one final character.
            while let intermediate = scalars.first, (0x20...0x2F).contains(intermediate.value) { scalars.removeFirst() }
            if !scalars.isEmpty { scalars.removeFirst() }
        }
    }

    /// Parameters and intermediates up to the final byte (0x40–0x7E).
    private static func skipCSI(_ scalars: inout ArraySlice<Unicode.Scalar>) {
        while let scalar = scalars.popFirst() {
            if (0x40...0x7E).contains(scalar.value) { return }
        }
    }

    /// An OSC/DCS-style string, ended by BEL or ST (ESC \ or 0x9C).
    private static func skipString(_ scalars: inout ArraySlice<Unicode.Scalar>) {
        while let scalar = scalars.popFirst() {
            if scalar.value == 0x07 || scalar.value == 0x9C { return }
            if scalar.value == 0x1B {
                if scalars.first == "\\" { scalars.removeFirst() }
                return
            }
        }
    }
}
