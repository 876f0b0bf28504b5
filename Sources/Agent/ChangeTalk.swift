import Foundation
import LLM

/// What answers and questions say about changes to the data: an answer that reports a change as made
/// (`claim(in:)`, `unmade`) or announces one (`announces`), and a question that asks for one (`asksForChange`).
///
/// A claimed change is a sentence of an answer that reports data as changed ("I have added a new supplier named
/// Papier Paradies KG.", "Der Kontakt wurde erfolgreich angelegt.") when no tool that changes data succeeded in the
/// conversation: the change was not made, whatever the answer says.
///
/// Why: told "call the tool" after it had only announced the change, the offline model answered "I have added a new
/// supplier named Papier Paradies KG." without any call — the person reading it believes the supplier exists. The
/// answer has been shown as it streamed, so the user is told instead (like `UnverifiedReferences`). Asking the model
/// again with its claim in the request does not help: told "Yes, do it now: call create_contact." (or "Nothing has been
/// saved yet", "No tool was called") after such a claim, it claimed again in 6 of 6 replayed requests; without the claim
/// in the request it made the call in 2 of 2 (`Agent.ask` does that once, in the first round).
///
/// Only first-person reports ("I have added", "I've created", "ich habe … angelegt") and the present perfect passive
/// ("has been added", "wurde erfolgreich angelegt") count: an answer about the data says "RE-1060 was created on …", and
/// in 424 recorded compare runs of the offline model (459 answers, 110 distinct) only the one claim above matched.
public enum ChangeTalk {
    /// The first sentence of `answer` that reports a change as done, trimmed, or nil.
    public static func claim(in answer: String) -> String? {
        sentences(of: answer).first { sentence in
            let folded = sentence.lowercased()
            return claims.contains { folded.range(of: $0, options: .regularExpression) != nil }
        }
    }

    /// The claim in `answer` (`claim(in:)`) when no call of a tool in `writes` succeeded anywhere in `conversation`
    /// (a change made for an earlier question may be reported again), else nil.
    public static func unmade(in answer: String, conversation: [ChatMessage], writes: Set<String>) -> String? {
        guard let claim = claim(in: answer) else { return nil }
        let writeCalls = Set(conversation.flatMap(\.toolCalls).filter { writes.contains($0.name) }.map(\.id))
        let changed = conversation.contains { $0.role == .tool && !$0.isError && writeCalls.contains($0.toolCallID ?? "") }
        return changed ? nil : claim
    }

    /// Whether a small model's answer announces a change instead of making it ("Thank you for providing the name. I
    /// will proceed to add the supplier.", "Ich werde den Kontakt jetzt anlegen."). Why: asked "I want to add a new
    /// supplier." and told "The name is Papier Paradies KG.", the offline model wrote that announcement and no call, in
    /// every compare run with the proof-of-concept tools, and the user was left believing the supplier exists. A
    /// question back ("What is the name?") is not an announcement.
    public static func announces(_ text: String) -> Bool {
        let parts = Self.sentences(of: text.lowercased())
        guard let last = parts.last, !last.contains("?") else { return false }
        let english = #"\b(i will|i'll|i am going to|i'm going to|let me)( now)? (proceed|go ahead|add|create|set up|register|save|update|record)\b"#
        let german = #"\bich (werde|lege|erstelle|füge|speichere)\b.*\b(an|anlegen|hinzu|hinzufügen|erstellen|speichern)\b"#
        return parts.contains { sentence in
            sentence.range(of: english, options: .regularExpression) != nil || sentence.range(of: german, options: .regularExpression) != nil
        }
    }

    /// Whether one of `questions` (the question and the one before it: "I want to add a new supplier." may come before
    /// "The name is Papier Paradies KG.") asks for a change — a verb of changing in its plain form, in a message that
    /// is not a question about the past. Only then may an announced or claimed change be asked for: asked "Have you
    /// created the contact Schulz Logistik?", the offline model answered "Yes, I have created the contact.", and told to
    /// make it, it called create_contact — a change nobody asked for (refused for want of approval; with `--yes` made).
    public static func asksForChange(_ questions: [String]) -> Bool {
        let verb = #"\b(add|create|record|register|book|enter|set up|save|update|change|delete|remove|"#
            + #"anlegen|lege|leg|erstelle|erstellen|hinzufügen|füge|buche|buchen|speichere|speichern|ändere|ändern|lösche|"#
            + #"löschen|erfasse|erfassen|trage|eintragen)\b"#
        let aboutThePast = #"^\W*(did|didn't|have|haven't|has|hasn't|was|were|hast|habt|haben|hat|wurde|wurden|ist|sind)\b"#
        return questions.contains { question in
            let folded = question.lowercased()
            return folded.range(of: verb, options: .regularExpression) != nil && folded.range(of: aboutThePast, options: .regularExpression) == nil
        }
    }

    /// What to tell the user about an answer's `claim` of a change that was not made.
    public static func warning(_ claim: String) -> String {
        "the answer says \"\(claim)\", but no tool that changes data succeeded: nothing was changed. Ask for the change again."
    }

    /// A change reported as made (`claim(in:)`), matched on the lowercased sentence.
    private static let claims = [
        #"\b(i have|i've|i)( now| just| successfully| also)* (added|created|updated|recorded|registered|saved|set up|booked|entered|deleted|removed|changed)\b(?! up\b| together\b)"#,
        #"\b(has|have) been( successfully)? (added|created|updated|recorded|registered|saved|booked|entered|deleted|removed|changed)\b"#,
        #"\b(ich habe|habe ich)\b.*\b(angelegt|erstellt|hinzugefügt|gespeichert|aktualisiert|gebucht|geändert|gelöscht|erfasst|eingetragen)\b"#,
        #"\b(wurde|wurden|ist|sind) erfolgreich\b.*\b(angelegt|erstellt|hinzugefügt|gespeichert|aktualisiert|gebucht|geändert|gelöscht|erfasst|eingetragen)\b"#,
    ]

    /// The sentences of `text`, trimmed, each with its final `.`, `!` or `?` (a line break ends one too); a full stop
    /// inside a number or name ("1.234,56", "z.B.") splits it, which does not matter here, since a claim or an
    /// announcement and its verb stay within the part they fall in.
    static func sentences(of text: String) -> [String] {
        var found: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if ".!?\n".contains(character) {
                let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { found.append(trimmed) }
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { found.append(rest) }
        return found
    }
}
