import LLM
import Testing

@testable import Agent

@Suite("Claimed changes")
struct ClaimedChangeTests {
    let writes: Set<String> = ["create_contact"]

    @Test("a change reported as made is found, in English and German; talk about the data and announcements are not")
    func claims() {
        let claims = [
            "Thanks! I have added a new supplier named Papier Paradies KG.": "I have added a new supplier named Papier Paradies KG.",
            "I've created the contact Müller GmbH.": "I've created the contact Müller GmbH.",
            "I have successfully added Müller GmbH as a customer": "I have successfully added Müller GmbH as a customer",
            "The contact Papier Paradies KG has been added.": "The contact Papier Paradies KG has been added.",
            "Ich habe den Lieferanten Papier Paradies KG angelegt.": "Ich habe den Lieferanten Papier Paradies KG angelegt.",
            "Der Kontakt wurde erfolgreich erstellt!": "Der Kontakt wurde erfolgreich erstellt!",
        ]
        for (answer, claim) in claims {
            #expect(ClaimedChange.claim(in: answer) == claim, "\(answer)")
        }
        for answer in [
            "RE-1060 was created on 2026-05-18 for Bäckerei Hoffmann.", "I have added up the open amounts: 12.345,67 € in all.",
            "I will add the supplier now.", "The invoice RE-1101 has been paid.", "Hello! How can I help you today?",
            "Die Rechnung wurde am 2026-05-18 erstellt.", "We have 37 customers.", "",
        ] {
            #expect(ClaimedChange.claim(in: answer) == nil, "\(answer)")
        }
    }

    @Test("a claim counts only when no tool that changes data succeeded anywhere in the conversation")
    func unmade() {
        let claim = "I have added Müller GmbH."
        let asked: [ChatMessage] = [.system("You help."), .user("create a contact named Müller GmbH")]
        #expect(ClaimedChange.unmade(in: claim, conversation: asked, writes: writes) == claim)

        let call = ToolCall(id: "w", name: "create_contact", arguments: #"{"name": "Müller GmbH"}"#)
        let made = asked + [.assistant("", toolCalls: [call]), .tool("w", "Created contact 1037 Müller GmbH.")]
        #expect(ClaimedChange.unmade(in: claim, conversation: made, writes: writes) == nil)

        // Declined or refused: nothing was changed.
        let declined = asked + [.assistant("", toolCalls: [call]), .tool("w", "The user declined to run create_contact.", isError: true)]
        #expect(ClaimedChange.unmade(in: claim, conversation: declined, writes: writes) == claim)

        // A read that succeeded changes nothing either.
        let read = ToolCall(id: "r", name: "list_contacts", arguments: "{}")
        let looked = asked + [.assistant("", toolCalls: [read]), .tool("r", "1 contact: 1012 Müller GmbH")]
        #expect(ClaimedChange.unmade(in: claim, conversation: looked, writes: writes) == claim)
        #expect(ClaimedChange.unmade(in: "Müller GmbH is customer 1012.", conversation: asked, writes: writes) == nil)
    }

    @Test("the user is told that nothing was changed and what to do")
    func warning() {
        #expect(ClaimedChange.warning("I have added Müller GmbH.")
            == "the answer says \"I have added Müller GmbH.\", but no tool that changes data succeeded: nothing was changed. "
            + "Ask for the change again.")
    }
}
