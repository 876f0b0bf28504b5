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
}
