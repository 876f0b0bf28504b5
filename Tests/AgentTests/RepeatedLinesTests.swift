import Testing

@testable import Agent

@Suite("An answer that writes the same lines over and over")
struct RepeatedLinesTests {
    /// As the offline model wrote it for "Welche Zahlungen sind heute eingegangen?", to its token limit.
    let block = "- RE-123456 € (Umsatz)\n- RE-789012 € (Umsatz)\n- RE-345678 € (Umsatz)\n- RE-987654 € (Umsatz)\n"

    @Test("a block of lines three times in a row ends after its first copy; one line four times")
    func stopped() throws {
        let opening = "Die Zahlungen heute eingegangen sind:\n"
        let text = opening + block + block + block
        let end = try #require(RepeatedLines.endOfFirstCopy(in: text))
        #expect(String(text[..<end]) == opening + block)
        #expect(RepeatedLines.endOfFirstCopy(in: opening + block + block) == nil, "twice is not yet a loop")
        // Caught in any phase, as soon as the third copy is whole; a line still being written does not count.
        let shifted = opening + "- RE-0\n" + block + block + String(block.dropLast())
        #expect(RepeatedLines.endOfFirstCopy(in: shifted) == nil)
        let third = try #require(RepeatedLines.endOfFirstCopy(in: shifted + "\n"))
        #expect(String((shifted + "\n")[..<third]) == opening + "- RE-0\n" + block)
        let line = "The invoice is RE-1119.\n"
        #expect(RepeatedLines.endOfFirstCopy(in: line + line + line) == nil)
        let four = line + line + line + line
        #expect(RepeatedLines.endOfFirstCopy(in: four).map { String(four[..<$0]) } == line)
        // With blank lines between the copies, and with indentation that differs.
        let spaced = "a\n\n  a\n\na \n\n"
        #expect(RepeatedLines.endOfFirstCopy(in: spaced).map { String(spaced[..<$0]) } == "a\n\n")
    }

    @Test("lists whose lines differ, blank lines and short answers are left alone")
    func leftAlone() {
        let overdue = (1...12).map { "- RE-10\(80 + $0) · Müller GmbH · 141,61 €" }.joined(separator: "\n") + "\n"
        for text in [overdue, "\n\n\n\n\n\n", "Hello! How can I help?", "| a | b |\n|---|---|\n| 1 | 2 |\n| 1 | 3 |\n", "x\ny\nx\ny\nx\n"] {
            #expect(RepeatedLines.endOfFirstCopy(in: text) == nil, "\(text)")
        }
    }

    /// What `RepeatedLines.Stream` shows for `text` given in pieces of `size` characters, and whether the whole text
    /// was already a loop when the last piece came.
    func streamed(_ text: String, pieces size: Int) -> (shown: String, looped: Bool) {
        var stream = RepeatedLines.Stream()
        var shown = ""
        var rest = Substring(text)
        while !rest.isEmpty {
            shown += stream.add(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        if RepeatedLines.endOfFirstCopy(in: text) != nil { return (shown + stream.stop(adding: ""), true) }
        return (shown + stream.finish(), false)
    }

    @Test("streamed, a loop shows its first copy only, in pieces of any size")
    func streamedLoop() {
        let opening = "Die Zahlungen heute eingegangen sind:\n"
        for size in [1, 3, 7, 40, 1000] {
            var stream = RepeatedLines.Stream()
            var shown = ""
            var given = ""
            var stopped = false
            // As the agent does: a check after each piece with a line break, and the stop as soon as it loops.
            var rest = Substring(opening + block + block + block + block)
            while !rest.isEmpty, !stopped {
                let piece = String(rest.prefix(size))
                rest = rest.dropFirst(size)
                given += piece
                shown += stream.add(piece)
                if piece.contains("\n"), RepeatedLines.endOfFirstCopy(in: given) != nil {
                    shown += stream.stop(adding: "")
                    stopped = true
                }
            }
            #expect(stopped && shown == opening + block, "pieces of \(size): \(shown)")
        }
        // One line four times: shown once.
        let line = "Die Rechnung ist RE-1119.\n"
        #expect(streamed(line + line + line + line, pieces: 5) == (line, true))
    }

    @Test("streamed, answers that do not loop are shown whole, and lines are held only while they could repeat")
    func streamedWhole() {
        let overdue = (1...12).map { "- RE-10\(80 + $0) · Müller GmbH · 141,61 €" }.joined(separator: "\n") + "\n"
        let twice = "Offen:\n" + block + block + "Mehr nicht.\n"
        for text in [overdue, twice, "a\n\n\n\nb", "x\ny\nx\ny\nx\n", "Hello! How can I help?", "Straße\nStraße\nÜbrig € 5"] {
            for size in [1, 4, 1000] {
                #expect(streamed(text, pieces: size) == (text, false), "\(text) in pieces of \(size)")
            }
        }
        var stream = RepeatedLines.Stream()
        // A first line streams at once; a line that starts like one before waits until it differs.
        #expect(stream.add("- RE-1101 · 141,61 €\n- RE-11") == "- RE-1101 · 141,61 €\n")
        #expect(stream.add("0") == "")
        #expect(stream.add("2 · 99,00 €") == "- RE-1102 · 99,00 €")
        // A line that repeats the one before is held, and shown when the next differs.
        #expect(stream.add("\nok\nok\n") == "\nok\n")
        #expect(stream.add("fertig\n") == "ok\nfertig\n")
        #expect(stream.finish() == "")
    }
}
