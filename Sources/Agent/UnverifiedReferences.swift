import Foundation
import LLM

/// Document numbers in an answer — `RE-2026-0107`, `BE-2026-0173`, anything shaped like a capital prefix, a dash
/// and digits — that no tool result and no question of the conversation contains.
///
/// Why: a model that names such a number without having been shown it has made it up, and a made-up invoice number
/// looks exactly like a real one to the person reading the answer. The offline model does this when the results hold
/// no invoice numbers (asked for bank transactions, it answered "RE-12633, RE-6766, …": the amounts 126,33 €, 67,66 €,
/// … turned into invoice numbers). The answer is not changed — it has been shown as it streamed — but the user is told
/// which numbers to distrust. Asking the model again instead was tried on the recorded cases: told which numbers were
/// not in the results, the offline model wrote the same answer again.
public enum UnverifiedReferences {
    /// The numbers in `answer` found nowhere in `conversation`'s tool results and user messages, in the order the
    /// answer names them, each once.
    public static func find(in answer: String, conversation: [ChatMessage]) -> [String] {
        var seen: Set<String> = []
        let named = references(in: answer).filter { seen.insert($0).inserted }
        var unconfirmed = seen
        // Only a message that contains one of the numbers as text is split into words, and each at most once.
        for message in conversation where (message.role == .tool || message.role == .user) && !unconfirmed.isEmpty {
            guard unconfirmed.contains(where: { message.content.contains($0) }) else { continue }
            unconfirmed.subtract(references(in: message.content))
        }
        return named.filter(unconfirmed.contains)
    }

    /// What to tell the user about `references`, or nil when there are none.
    public static func warning(_ references: [String]) -> String? {
        guard !references.isEmpty else { return nil }
        let list = references.count == 1 ? references[0] : references.dropLast().joined(separator: ", ") + " and " + references.last!
        let them = references.count == 1 ? "it" : "them"
        return "no tool returned \(list): the model probably made \(them) up. Don't rely on \(them); "
            + "look \(them) up with a tool, or ask again."
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
    private static let dashes = CharacterSet(charactersIn: "-")
}
