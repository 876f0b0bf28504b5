import Testing

@testable import Agent

@Suite("Garbled amounts written back as the tools write them")
struct GarbledAmountsTests {
    @Test("commas both between the thousands and before the cents become the tools' style, next to a euro sign")
    func mended() {
        // As the offline model wrote them in English answers ("What are our biggest expenses?").
        #expect(GarbledAmounts.mend("a gross total of 368,044,69 €. The largest: Lohn und Gehalt: 224,402,10 €")
            == "a gross total of 368.044,69 €. The largest: Lohn und Gehalt: 224.402,10 €")
        #expect(GarbledAmounts.mend("€1,234,567,89 in all, 36,498,13 EUR, 36,498,13 euros") == "€1.234.567,89 in all, 36.498,13 EUR, 36.498,13 euros")
        #expect(GarbledAmounts.mend("(4,402,10 €)") == "(4.402,10 €)")
    }

    @Test("amounts in either language's style, other numbers and numbers without a currency stay as written")
    func leftAlone() {
        for text in [
            "368.044,69 €", "368,044.69 €", "€368,044.69", "1.234,56 €", "12,345,678 €", "3,5 %", "RE-1119, RE-1118, RE-1117",
            "224,402,10 apples", "in 2026,11,25", "1,234,56,7 €",
        ] {
            #expect(GarbledAmounts.mend(text) == text)
        }
    }

    @Test("streamed in pieces: a number is held until it is whole, and what is shown is the mended answer")
    func streamed() {
        let pieces = ["The total", " is €", "368,0", "44,6", "9", " ", "€ (of", " which 1,", "341,85", " €", " other).", " RE-11", "19", " and 7"]
        var stream = GarbledAmounts.Stream()
        var shown: [String] = []
        for piece in pieces { shown.append(stream.add(piece)) }
        shown.append(stream.finish())
        let whole = pieces.joined()
        #expect(shown.joined() == GarbledAmounts.mend(whole))
        #expect(shown.joined() == "The total is €368.044,69 € (of which 1.341,85 € other). RE-1119 and 7")
        #expect(!shown.contains { $0.contains("368,0") || $0.contains("1,341") }, "\(shown)")
        #expect(shown[0] == "The total", "text without numbers is shown at once")
    }
}
