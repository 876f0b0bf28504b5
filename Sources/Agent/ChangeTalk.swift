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
        let aboutThePast = #"^\W*(did|didn't|have|haven't|has|hasn't|was|were|hast|habt|haben|hat|wurde|wurden|ist|sind)\b"#
        return questions.contains { question in
            let folded = question.lowercased()
            let spoken = words(of: folded)
            // The verbs of `askedVerbs`, and those that could be any kind of change.
            let changing = !kinds(in: spoken).isEmpty || spoken.contains { ["save", "speichere", "speichern"].contains($0) }
                || folded.contains("set up")
            return changing && folded.range(of: aboutThePast, options: .regularExpression) == nil
        }
    }

    /// Why a write must not run: the message that asks for a change (the question, or the one before it that asks for
    /// one) asks for another kind of change (delete, not create) or about another thing (an invoice, not a contact)
    /// than the tool's name says it makes: "create_contact was not run: the user asked to delete a contact, not to
    /// create a contact, and none of the tools can delete a contact. Nothing was changed." (or "… Call delete_contact for
    /// that instead." when a tool fits). Nil when they fit, or when the message or the tool's name say too little to
    /// tell (no verb of changing, a tool name that is not verb_noun).
    ///
    /// Why: "Delete the contact Müller GmbH" and "Create an invoice for Müller GmbH over 500 euros" both had the offline
    /// model call create_contact for Müller GmbH (tools here create contacts only). The approval prompt then asks to
    /// create a second Müller GmbH, and `--yes` would have; refused with this message, no one is asked. What the model
    /// is then asked to say is `Agent.answerNudge`'s (`cannot(in:)`): told in the refusal itself "Tell the user in one
    /// sentence that none of your tools can delete a contact", it answered "None of your tools can delete a contact
    /// and that nothing was changed." in the answer slot, and asked for German there, it made the call again.
    public static func mismatch(tool: String, questions: [String], writes: Set<String>) -> String? {
        guard let made = Self.change(ofTool: tool) else { return nil }
        let recent = questions.suffix(2).reversed()
        guard let asking = recent.first(where: { !kinds(in: words(of: $0)).isEmpty }) else { return nil }
        let spoken = words(of: asking)
        let askedKinds = kinds(in: spoken)
        let askedThings = things(in: spoken)
        let kindFits = askedKinds.contains(made.kind)
        let thingFits = made.thing.map { askedThings.isEmpty || askedThings.contains($0) } ?? true
        guard !kindFits || !thingFits else { return nil }
        let wanted = kindFits ? made.kind : askedKinds.sorted().first!
        let wantedThing = thingFits ? made.thing : askedThings.sorted().first
        let instead = writes.sorted().first { other in
            other != tool && change(ofTool: other).map { $0.kind == wanted && (wantedThing == nil || $0.thing == wantedThing) } == true
        }
        let asked = doing(wanted, wantedThing)
        let refused = "\(tool) was not run: the user asked to \(asked), not to \(doing(made.kind, made.thing))"
        guard let instead else { return refused + ", and none of the tools can \(asked). Nothing was changed." }
        return refused + ". Call \(instead) for that instead."
    }

    /// What the user asked for that no tool can do ("delete a contact"), when `toolResult` is a `mismatch` refusal
    /// that names no other tool.
    public static func cannot(in toolResult: String) -> String? {
        guard let start = toolResult.range(of: " was not run: the user asked to "),
            let end = toolResult.range(of: ", not to ", range: start.upperBound..<toolResult.endIndex),
            toolResult.contains(", and none of the tools can ")
        else { return nil }
        return String(toolResult[start.upperBound..<end.lowerBound])
    }

    /// "delete a contact", "create an invoice", "update".
    static func doing(_ kind: String, _ thing: String?) -> String {
        guard let thing else { return kind }
        return kind + ("aeiou".contains(thing.first!) ? " an " : " a ") + thing
    }

    /// A tool name's words, lower case: snake_case, kebab-case and camelCase names alike (`listContacts` → list, contacts).
    static func nameParts(_ name: String) -> [String] {
        let spaced = name.reduce(into: "") { text, character in text += character.isUppercase ? "_" + character.lowercased() : String(character) }
        return spaced.split { $0 == "_" || $0 == "-" || $0 == "." }.map(String.init)
    }

    /// The kind of change and the thing a write tool's name says it makes: `create_contact` → ("create", "contact").
    static func change(ofTool name: String) -> (kind: String, thing: String?)? {
        let parts = nameParts(name)
        guard let verb = parts.first, let kind = toolVerbs.first(where: { $0.value.contains(verb) })?.key else { return nil }
        let thing = parts.dropFirst().lazy.compactMap { part in things.first { $0.value.contains(part) }?.key }.first
        return (kind, thing)
    }

    static func kinds(in words: [String]) -> Set<String> {
        Set(words.compactMap { word in askedVerbs.first { $0.value.contains(word) }?.key })
    }

    static func things(in words: [String]) -> Set<String> {
        Set(words.compactMap { word in things.first { $0.value.contains(word) }?.key })
    }

    static func words(of text: String) -> [String] {
        text.lowercased().split { !$0.isLetter }.map(String.init)
    }

    /// Verbs of tool names, by the kind of change.
    static let toolVerbs: [String: Set<String>] = [
        "create": ["create", "add", "new", "insert", "make", "register"],
        "update": ["update", "edit", "change", "modify", "rename", "patch", "set"],
        "delete": ["delete", "remove", "archive", "destroy"],
    ]

    /// Verbs of asking for a change, English and German, by kind ("save" and "set up" could be any of them, so they
    /// are none; `asksForChange` adds them).
    static let askedVerbs: [String: Set<String>] = [
        "create": [
            "add", "create", "register", "record", "book", "enter", "anlegen", "lege", "leg", "erstelle", "erstellen", "hinzufügen",
            "füge", "buche", "buchen", "erfasse", "erfassen", "trage", "eintragen",
        ],
        "update": [
            "update", "change", "edit", "rename", "correct", "modify", "ändere", "ändern", "änder", "aktualisiere",
            "aktualisieren", "korrigiere", "korrigieren", "bearbeite", "bearbeiten", "umbenennen",
        ],
        "delete": ["delete", "remove", "erase", "lösche", "löschen", "lösch", "entferne", "entfernen"],
    ]

    /// Things a tool may change, by the singular a tool name uses, with the words users say for them.
    static let things: [String: Set<String>] = [
        "contact": [
            "contact", "contacts", "customer", "customers", "client", "clients", "supplier", "suppliers", "vendor", "vendors",
            "partner", "partners", "prospect", "prospects", "kontakt", "kontakte", "kunde", "kunden", "kundin", "lieferant",
            "lieferanten", "lieferantin",
        ],
        "invoice": ["invoice", "invoices", "rechnung", "rechnungen"],
        "voucher": ["voucher", "vouchers", "receipt", "receipts", "bill", "bills", "expense", "expenses", "beleg", "belege", "quittung"],
        "payment": ["payment", "payments", "zahlung", "zahlungen"],
        "transaction": ["transaction", "transactions", "buchung", "buchungen"],
    ]

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
