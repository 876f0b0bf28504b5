import Foundation

/// Euro amounts written with commas both between the thousands and before the cents ("368,044,69 €" for the
/// tools' "368.044,69 €"), as the offline model writes them in English answers. That is no number in any language
/// (English would be 368,044.69, German 368.044,69), so there is only one way to read it: it is written back the way
/// the tools write amounts. Amounts in a proper style of either language are left as they are.
public enum GarbledAmounts {
    /// A number with comma-separated thousands and two digits after a last comma.
    private static let shape = #"(?<![\d.,])\d{1,3}(?:,\d{3})+,\d{2}(?![\d])"#

    /// `text` with every garbled euro amount written as the tools write it (a number of that shape counts as an
    /// amount with a currency next to it, as `UnverifiedReferences` reads amounts).
    public static func mend(_ text: String) -> String {
        var mended = text
        var searchFrom = mended.startIndex
        while let range = mended.range(of: shape, options: .regularExpression, range: searchFrom..<mended.endIndex) {
            guard UnverifiedReferences.hasCurrency(around: range, in: mended) else {
                searchFrom = range.upperBound
                continue
            }
            let number = mended[range]
            let lastComma = number.lastIndex(of: ",")!
            let written = number[..<lastComma].replacingOccurrences(of: ",", with: ".") + number[lastComma...]
            mended.replaceSubrange(range, with: written)
            searchFrom = mended.index(range.lowerBound, offsetBy: written.count)
        }
        return mended
    }

    /// Mends streamed text as it comes: a number at the end of what came so far is held back until it is complete,
    /// with a euro sign before or after it, so what is shown is what the answer will say.
    struct Stream {
        private var held = ""

        /// What to show now for this piece of text.
        mutating func add(_ text: String) -> String {
            let pending = held + text
            let tail = pending.range(of: #"(?:€ ?)?\d[\d.,]*\s?€?$|€ ?$"#, options: .regularExpression)
            held = tail.map { String(pending[$0]) } ?? ""
            return mend(String(pending[..<(tail?.lowerBound ?? pending.endIndex)]))
        }

        /// What is still held, at the end of the text.
        mutating func finish() -> String {
            defer { held = "" }
            return mend(held)
        }
    }
}
