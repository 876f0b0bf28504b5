import MCP
import Testing

@testable import Compare

@Suite("Argument matchers and scenario files")
struct MatcherTests {
    func matcher(_ toml: String) throws -> ArgumentMatcher {
        let scenario = try Scenario.parse(
            """
            id = "m"
            turns = ["q"]
            reference_answers = ["a"]
            [[calls.full]]
            tool = "t"
            args = { x = \(toml) }
            """, source: "m.toml")
        return scenario.calls["full"]![0].arguments[0].matcher
    }

    @Test("eq compares numbers across types and strings without case or outer spaces")
    func equals() throws {
        let five = try matcher("5")
        #expect(five == .equals(.int(5)))
        #expect(five.matches(.int(5)) && five.matches(.double(5)) && five.matches(.string("5")))
        #expect(!five.matches(.int(6)) && !five.matches(nil))
        let status = try matcher(#"{ eq = "open" }"#)
        #expect(status.matches(.string(" Open ")) && !status.matches(.string("opened")))
    }

    @Test("any_of, text, regex and range")
    func kinds() throws {
        let choice = try matcher(#"{ any_of = ["open", "partially_paid"] }"#)
        #expect(choice.matches(.string("partially_paid")) && !choice.matches(.string("paid")))

        let name = try matcher(#"{ text = "Müller GmbH" }"#)
        #expect(name.matches(.string("mueller gmbh")) == false)  // a different spelling is a different name
        #expect(name.matches(.string("  MÜLLER   gmbh ")) && name.matches(.string("Muller GmbH")) && name.matches(.string("Müller GmbH.")))
        #expect(!name.matches(.string("Müller AG")) && !name.matches(.int(1)))
        #expect(ArgumentMatcher.normalize("Straße  Nr. 5") == "strasse nr 5")

        let date = try matcher(#"{ regex = '^2026-10-\d\d$' }"#)
        #expect(date.matches(.string("2026-10-01")) && !date.matches(.string("2026-11-01")) && !date.matches(nil))

        let limit = try matcher("{ range = [3, 25] }")
        #expect(limit.matches(.int(3)) && limit.matches(.double(24.5)) && limit.matches(.string("10")))
        #expect(!limit.matches(.int(2)) && !limit.matches(.int(26)) && !limit.matches(.string("ten")))
    }

    @Test("optional, absent and ignore decide about missing arguments")
    func presence() throws {
        let optional = try matcher(#"{ optional = true, eq = "desc" }"#)
        #expect(optional == .optional(.equals(.string("desc"))))
        #expect(optional.matches(nil) && optional.matches(.null) && optional.matches(.string("desc")) && !optional.matches(.string("asc")))
        #expect(optional.example == .string("desc"))

        let absent = try matcher("{ absent = true }")
        #expect(absent.matches(nil) && !absent.matches(.string("open")))
        #expect(absent.example == nil)

        let ignore = try matcher("{ ignore = true }")
        #expect(ignore.matches(nil) && ignore.matches(.string("anything")) && ignore.allowsAbsence)
        #expect(try matcher("{ optional = true }") == .ignore)
        #expect(!(try matcher("5")).allowsAbsence)
    }

    @Test("examples stand in where a matcher has no single value, and must match it")
    func examples() throws {
        let scenario = try Scenario.parse(
            """
            id = "e"
            turns = ["q"]
            reference_answers = ["a"]
            [[calls.full]]
            tool = "list_contacts"
            args = { search = { regex = "(?i)weber", example = "Weber" } }
            """, source: "e.toml")
        #expect(scenario.calls["full"]![0].arguments[0].example == .string("Weber"))
        #expect(scenario.calls["full"]![0].arguments[0].referenceValue == .string("Weber"))
        #expect(scenario.calls["full"]![0].arguments[0].matcher == .regex("(?i)weber"))
        let error = #expect(throws: ScenarioError.self) {
            try Scenario.parse(
                """
                id = "e"
                turns = ["q"]
                reference_answers = ["a"]
                [[calls.full]]
                tool = "list_contacts"
                args = { search = { regex = "(?i)weber", example = "Becker" } }
                """, source: "e.toml")
        }
        #expect(error?.description == "e.toml: calls.full[1].args.search.example: the example does not match its own matcher")
    }

    @Test("mistakes in scenario files name the file and the key", arguments: [
        (#"{ between = [1, 2] }"#, "calls.full[1].args.x: unknown matcher \"between\""),
        (#"{ range = [5, 1] }"#, "calls.full[1].args.x: range needs [low, high] with low ≤ high"),
        (#"{ regex = "(" }"#, "calls.full[1].args.x: regex needs a valid regular expression"),
        (#"{ eq = 1, any_of = [1] }"#, "calls.full[1].args.x: give one matcher"),
        ("{}", "calls.full[1].args.x: an empty table matches nothing"),
    ])
    func matcherMistakes(toml: String, message: String) {
        let error = #expect(throws: ScenarioError.self) { try matcher(toml) }
        #expect(error?.description.hasPrefix("m.toml: \(message)") == true, "\(error?.description ?? "")")
    }

    @Test("mistakes outside the matchers", arguments: [
        ("id = \"a\"\nturns = []\nreference_answers = []", "turns: at least one user turn is required"),
        ("id = \"a b\"\nturns = [\"q\"]\nreference_answers = [\"a\"]", "id: use letters, digits, - and _ only"),
        ("id = \"a\"\nturns = [\"q\"]\nreference_answers = []", "reference_answers: give one reference answer per turn (1); got 0"),
        ("id = \"a\"\nturns = [\"q\"]\nreference_answers = [\"a\"]\ntoolsets = [\"mini\"]", "toolsets: unknown toolset \"mini\""),
        ("id = \"a\"\nturns = [\"q\"]\nreference_answers = [\"a\"]\ncolour = 1", "colour: unknown key"),
        ("id = \"a\"\nturns = [\"q\"]\nreference_answers = [\"a\"]\n[trajectory]\norder = \"sorted\"", "trajectory.order: expected one of"),
        ("id = \"a\"\nturns = [\"q\"]\nreference_answers = [\"a\"]\n[ledger]\ninvoice = 1", "ledger.invoice: unknown table"),
        ("id = \"a\"\nturns = [\"q\"]\nreference_answers = [\"a\"]\n[answer]\ncontains = [\"x\"]", "answer.contains: unknown key"),
        ("id = \"a\"\nturns = [\"q\"]\nreference_answers = [\"a\"]\n[[calls.full]]\ntool = \"t\"\nturn = 2", "calls.full[1].turn: expected a turn from 1 to 1"),
        ("id = \"a\"\nturns = [\"q\"\n", "a.toml:2:"),
    ])
    func fileMistakes(text: String, message: String) {
        let error = #expect(throws: ScenarioError.self) { try Scenario.parse(text, source: "a.toml") }
        let description = error?.description ?? ""
        #expect(description.hasPrefix("a.toml: \(message)") || description.hasPrefix(message), "\(description)")
    }
}
