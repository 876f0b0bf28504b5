import LLM
import Testing

@testable import Agent

@Suite("Changes in answers and questions")
struct ChangeTalkTests {
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
            #expect(ChangeTalk.claim(in: answer) == claim, "\(answer)")
        }
        for answer in [
            "RE-1060 was created on 2026-05-18 for Bäckerei Hoffmann.", "I have added up the open amounts: 12.345,67 € in all.",
            "I will add the supplier now.", "The invoice RE-1101 has been paid.", "Hello! How can I help you today?",
            "Die Rechnung wurde am 2026-05-18 erstellt.", "We have 37 customers.", "",
        ] {
            #expect(ChangeTalk.claim(in: answer) == nil, "\(answer)")
        }
    }

    @Test("a claim counts only when no tool that changes data succeeded anywhere in the conversation")
    func unmade() {
        let claim = "I have added Müller GmbH."
        let asked: [ChatMessage] = [.system("You help."), .user("create a contact named Müller GmbH")]
        #expect(ChangeTalk.unmade(in: claim, conversation: asked, writes: writes) == claim)

        let call = ToolCall(id: "w", name: "create_contact", arguments: #"{"name": "Müller GmbH"}"#)
        let made = asked + [.assistant("", toolCalls: [call]), .tool("w", "Created contact 1037 Müller GmbH.")]
        #expect(ChangeTalk.unmade(in: claim, conversation: made, writes: writes) == nil)

        // Declined or refused: nothing was changed.
        let declined = asked + [.assistant("", toolCalls: [call]), .tool("w", "The user declined to run create_contact.", isError: true)]
        #expect(ChangeTalk.unmade(in: claim, conversation: declined, writes: writes) == claim)

        // A read that succeeded changes nothing either.
        let read = ToolCall(id: "r", name: "list_contacts", arguments: "{}")
        let looked = asked + [.assistant("", toolCalls: [read]), .tool("r", "1 contact: 1012 Müller GmbH")]
        #expect(ChangeTalk.unmade(in: claim, conversation: looked, writes: writes) == claim)
        #expect(ChangeTalk.unmade(in: "Müller GmbH is customer 1012.", conversation: asked, writes: writes) == nil)
    }

    @Test("the user is told that nothing was changed and what to do")
    func warning() {
        #expect(ChangeTalk.warning("I have added Müller GmbH.")
            == "the answer says \"I have added Müller GmbH.\", but no tool that changes data succeeded: nothing was changed. "
            + "Ask for the change again.")
    }

    @Test("an announced change is told apart from a question back, small talk and a change reported as done")
    func announcements() {
        for text in ["Thank you for providing the name. I will proceed to add the supplier.", "I'll create the contact now.",
            "Let me add Papier Paradies KG as a supplier.", "Ich werde den Kontakt jetzt anlegen.", "Ich lege den Lieferanten an."]
        {
            #expect(ChangeTalk.announces(text), "\(text)")
        }
        for text in ["Sure, please provide the name of the supplier.", "What is the name of the new supplier?",
            "I will add it. What is its name?", "Hello! How can I help you today?", "I'll be happy to help.", "Let me know the name.",
            "I have added Papier Paradies KG.", "Welchen Namen hat der Lieferant?", ""]
        {
            #expect(!ChangeTalk.announces(text), "\(text)")
        }
    }

    @Test("a change asked for is told apart from a question whether one was made")
    func changeAskedFor() {
        for questions in [["create a contact named Müller GmbH"], ["I want to add a new supplier.", "The name is Papier Paradies KG."],
            ["Can you add Papier Paradies KG as a supplier?"], ["Lege den Kunden Müller GmbH an"], ["Bitte erstelle einen Kontakt"]]
        {
            #expect(ChangeTalk.asksForChange(questions), "\(questions)")
        }
        for questions in [["Have you created the contact Schulz Logistik?"], ["Did you add Müller GmbH yesterday?"],
            ["Hast du den Kontakt Papier Paradies KG angelegt?"], ["show me the last 5 invoices"], ["hello"], ["Wurde Müller GmbH angelegt?"]]
        {
            #expect(!ChangeTalk.asksForChange(questions), "\(questions)")
        }
    }
}
