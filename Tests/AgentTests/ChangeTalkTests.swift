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
            ["Can you add Papier Paradies KG as a supplier?"], ["Lege den Kunden Müller GmbH an"], ["Bitte erstelle einen Kontakt"],
            ["Please save Müller GmbH as a supplier"], ["Set up a customer named Schulz"], ["Lösche Müller GmbH"]]
        {
            #expect(ChangeTalk.asksForChange(questions), "\(questions)")
        }
        for questions in [["Have you created the contact Schulz Logistik?"], ["Did you add Müller GmbH yesterday?"],
            ["Hast du den Kontakt Papier Paradies KG angelegt?"], ["show me the last 5 invoices"], ["hello"], ["Wurde Müller GmbH angelegt?"]]
        {
            #expect(!ChangeTalk.asksForChange(questions), "\(questions)")
        }
    }

    @Test("a write of another kind or about another thing than asked for is refused, naming a tool that fits or that none does")
    func mismatch() throws {
        #expect(ChangeTalk.mismatch(tool: "create_contact", questions: ["Delete the contact Müller GmbH"], writes: writes)
            == "create_contact was not run: the user asked to delete a contact, not to create a contact, "
            + "and none of the tools can delete a contact. Nothing was changed.")
        #expect(ChangeTalk.mismatch(tool: "create_contact", questions: ["Create an invoice for Müller GmbH over 500 euros"], writes: writes)
            == "create_contact was not run: the user asked to create an invoice, not to create a contact, "
            + "and none of the tools can create an invoice. Nothing was changed.")
        let german = try #require(ChangeTalk.mismatch(tool: "create_contact", questions: ["Lösche den Kunden Müller GmbH"], writes: writes))
        #expect(ChangeTalk.cannot(in: german) == "delete a contact")
        #expect(ChangeTalk.mismatch(tool: "create_contact", questions: ["Change the address of Müller GmbH"], writes: writes)?
            .hasPrefix("create_contact was not run: the user asked to update a contact, not to create a contact, and none") == true)
        // A tool that fits is named instead, whatever its name's style.
        #expect(ChangeTalk.mismatch(
            tool: "create_contact", questions: ["Create an invoice for Müller GmbH"], writes: ["create_contact", "createInvoice"])?
            .hasSuffix("not to create a contact. Call createInvoice for that instead.") == true)
        #expect(ChangeTalk.cannot(in: "create_contact was not run: the user asked to create an invoice, not to create a contact. "
            + "Call createInvoice for that instead.") == nil, "a tool that fits may still be called")
        // What fits, or says too little to tell, runs.
        for (questions, tool) in [
            (["create a contact named Schulz Logistik GmbH"], "create_contact"),
            (["Please create a new customer for me."], "create_contact"),
            (["I want to add a new supplier.", "The name is Papier Paradies KG."], "create_contact"),
            (["Lege einen Kontakt Neukunde AG an"], "create_contact"),
            (["lege Neukunde AG an"], "create_contact"),
            (["Add Müller GmbH, the customer of invoice RE-1090"], "create_contact"),
            (["Müller GmbH, please"], "create_contact"),
            (["Delete the contact Müller GmbH"], "delete_contact"),
            (["Delete the contact Müller GmbH"], "send_reminder"),
        ] {
            #expect(ChangeTalk.mismatch(tool: tool, questions: questions, writes: writes) == nil, "\(questions) \(tool)")
        }
    }
}
