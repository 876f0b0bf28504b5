import Foundation
import LLM
import Ledger

/// Document numbers in an answer — `RE-2026-0107`, `BE-2026-0173`, anything shaped like a capital prefix, a dash
/// and digits — and euro amounts (`1.234,56 €`) that no tool result and no question of the conversation contains.
///
/// Why: a model that names such a number without having been shown it has made it up, and a made-up invoice number
/// looks exactly like a real one to the person reading the answer. The offline model does this when the results hold
/// no invoice numbers (asked for bank transactions, it answered "RE-12633, RE-6766, …": the amounts 126,33 €, 67,66 €,
/// … turned into invoice numbers). The answer is not changed — it has been shown as it streamed — but the user is told
/// which numbers to distrust. Asking the model again instead was tried on the recorded cases: told which numbers were
/// not in the results, the offline model wrote the same answer again.
///
/// Amounts only where no tool result had any: asked for Hotel Rheinblick's customer number, the offline model found
/// the contact in a list without amounts and added "The last invoice was for 1.234,56 € on 2026-11-25" — the system
/// prompt's example of how to write an amount — in every run. Where results do have amounts, an amount they lack is
/// usually a sum of them (the reference answers total the bank balances, the open invoices), so it is not named.
/// Only amounts written the tools' way with a currency (`1.234,56 €`, `1234,56 EUR`) are checked.
public enum UnverifiedReferences {
    /// The document numbers in `answer` found nowhere in `conversation`'s tool results and user messages, then its
    /// amounts when no tool result had any amount (and the questions do not have them), each once and in the order
    /// the answer names them.
    public static func find(in answer: String, conversation: [ChatMessage]) -> [String] {
        var seen: Set<String> = []
        let named = references(in: answer).filter { seen.insert($0).inserted }
        var unconfirmed = seen
        // Only a message that contains one of the numbers as text is split into words, and each at most once.
        for message in conversation where (message.role == .tool || message.role == .user) && !unconfirmed.isEmpty {
            guard unconfirmed.contains(where: { message.content.contains($0) }) else { continue }
            unconfirmed.subtract(references(in: message.content))
        }
        return named.filter(unconfirmed.contains) + amountsWithoutSource(in: answer, conversation: conversation)
    }

    /// The amounts in `answer` (written as the tools write them, `Money.format`) when no tool result of
    /// `conversation` has an amount, less those its questions name.
    static func amountsWithoutSource(in answer: String, conversation: [ChatMessage]) -> [String] {
        var seen: Set<Int> = []
        let named = amounts(in: answer).filter { hasCurrency(around: $0, in: answer) }.map { cents(answer[$0]) }
            .filter { seen.insert($0).inserted }
        guard !named.isEmpty, !conversation.contains(where: { $0.role == .tool && !amounts(in: $0.content).isEmpty }) else { return [] }
        let asked = Set(conversation.filter { $0.role == .user }.flatMap { question in
            amounts(in: question.content).map { cents(question.content[$0]) }
        })
        return named.filter { !asked.contains($0) }.map { Money.format(cents: $0) }
    }

    /// Whether `text` has an amount written the tools' way with its currency (`1.234,56 €`).
    static func namesAmounts(_ text: String) -> Bool {
        amounts(in: text).contains { hasCurrency(around: $0, in: text) }
    }

    /// `1.234,56`, `1234,56`, `0,99`, not part of a longer number.
    private static func amounts(in text: String) -> [Range<String.Index>] {
        text.matches(of: amount).map(\.range).filter { range in
            guard range.lowerBound > text.startIndex else { return true }
            let before = text[text.index(before: range.lowerBound)]
            return !(before.isNumber || before == "." || before == ",")
        }
    }

    /// "1.234,56" and "1234,56" are both 123456 cents (the regex bounds the digits, so this fits an Int).
    private static func cents(_ amount: Substring) -> Int { Int(String(amount.filter(\.isNumber))) ?? 0 }

    /// A currency right after the amount (`€`, `EUR`, `Euro`, `euros`) or right before it (`€ 12,00`).
    static func hasCurrency(around range: Range<String.Index>, in text: String) -> Bool {
        let after = text[range.upperBound...].drop { $0 == " " || $0 == "\u{00A0}" }
        if after.hasPrefix("€") || after.prefix(3).lowercased() == "eur" { return true }
        return text[..<range.lowerBound].reversed().drop { $0 == " " || $0 == "\u{00A0}" }.first == "€"
    }

    /// What to tell the user about `references`, or nil when there are none.
    public static func warning(_ references: [String]) -> String? {
        guard !references.isEmpty else { return nil }
        let list = spokenList(references)
        let them = references.count == 1 ? "it" : "them"
        return "no tool returned \(list): the model probably made \(them) up. Don't rely on \(them); "
            + "look \(them) up with a tool, or ask again."
    }

    /// `a`, `a and b`, `a, b and c`: items as a sentence lists them (the warning here, the answer request's details).
    static func spokenList(_ items: [String]) -> String {
        items.count <= 1 ? items.first ?? "" : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// Whether `text` names a document number at all (stops at the first).
    static func namesDocuments(_ text: String) -> Bool {
        let pattern = documentNumber
        return candidates(in: text).contains { isReference($0, pattern: pattern) }
    }

    /// `RE-2026-0107`, `BE-173`, `RE-13`: 2 to 4 capital letters, then groups of digits joined by dashes, two digits
    /// at least (so `UTF-8` is not taken for one), not part of a longer word or number.
    static func references(in text: String) -> [String] {
        let pattern = documentNumber
        return candidates(in: text).filter { isReference($0, pattern: pattern) }
    }

    /// The text's words of ASCII letters, digits and inner dashes, lazily.
    private static func candidates(in text: String) -> some Sequence<String> {
        text.split { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }.lazy.map { $0.trimmingCharacters(in: dashes) }
    }

    private static func isReference(_ word: String, pattern: Regex<Substring>) -> Bool {
        word.first?.isUppercase == true && (try? pattern.wholeMatch(in: word)) != nil && word.filter(\.isNumber).count >= 2
    }

    private static var documentNumber: Regex<Substring> { #/[A-Z]{2,4}(?:-[0-9]+)+/# }
    /// `1.234,56`, `1234,56`, `0,99` (where it starts is checked apart: no lookbehind in Swift's regexes).
    private static var amount: Regex<Substring> { #/(?:[0-9]{1,3}(?:\.[0-9]{3}){1,4}|[0-9]{1,15}),[0-9]{2}(?![0-9])/# }
    private static let dashes = CharacterSet(charactersIn: "-")
}
