import Foundation
import MCP
import TOMLKit

/// One scripted conversation to put to every model: what the user says, which tool calls would answer it, what the
/// answer must (not) say, and how the ledger must look afterwards. Loaded from a TOML file in `prompts/scenarios/`.
public struct Scenario: Sendable, Equatable {
    public var id: String
    public var title: String
    public var tags: [String]
    /// What the user says, one entry per turn; the conversation carries on between turns.
    public var turns: [String]
    /// The toolsets the scenario makes sense for (a question the proof-of-concept tools cannot answer lists only full).
    public var toolsets: [String]
    /// Tool-call matching decides pass or fail only when set; otherwise it is a diagnostic.
    public var strict: Bool
    /// How often each model runs it (pass^k needs k > 1).
    public var repeatCount: Int
    public var trajectory: Trajectory
    /// Expected tool calls per toolset.
    public var calls: [String: [ExpectedCall]]
    public var answer: AnswerChecks
    /// Expected change of each ledger table's row count; a table not named must stay exactly as it was.
    public var ledgerChanges: [String: Int]
    /// What a model that gets everything right answers, one per turn: the scripted reference model says it, which
    /// proves the checks above can be met.
    public var referenceAnswers: [String]
}

/// How the tool calls a model makes are held against the expected ones.
public struct Trajectory: Sendable, Equatable {
    public enum Order: String, Sendable, Codable { case any, inOrder = "in_order", exact }
    public enum Extra: String, Sendable, Codable { case allowed, readOnly = "read_only", forbidden }
    public var order: Order = .any
    /// Calls beyond the expected ones: any, only reading ones, or none.
    public var extra: Extra = .readOnly
    /// Tools that must not be called at all; a call fails the run even when the scenario is not strict.
    public var forbidden: [String] = []
}

/// A tool call the scenario expects, with a matcher per argument. Arguments not named are not checked.
public struct ExpectedCall: Sendable, Equatable {
    public var tool: String
    /// The turn the call belongs to (1-based).
    public var turn: Int
    public var arguments: [ExpectedArgument]
}

/// One argument of an expected call.
public struct ExpectedArgument: Sendable, Equatable {
    public var name: String
    public var matcher: ArgumentMatcher
    /// What the scripted reference model passes where the matcher has no single right value (`example = …` next to
    /// a `regex`, say).
    public var example: Value?

    /// The value a model that gets everything right passes; nil when it leaves the argument out.
    public var referenceValue: Value? { example ?? matcher.example }
}

/// What the final answer of each run must contain or avoid (case-insensitive; numbers and words as written).
public struct AnswerChecks: Sendable, Equatable {
    public var containsAll: [String] = []
    public var containsAny: [String] = []
    public var notContains: [String] = []
    public var regex: [String] = []

    public var isEmpty: Bool { containsAll.isEmpty && containsAny.isEmpty && notContains.isEmpty && regex.isEmpty }
}

/// A scenario file that cannot be used, with where and why.
public struct ScenarioError: Error, CustomStringConvertible, LocalizedError {
    public var description: String
    public var errorDescription: String? { description }
    public init(_ description: String) { self.description = description }
}

extension Scenario {
    /// The toolsets `compare` knows.
    public static let knownToolsets = ["poc", "full"]
    /// The ledger tables a scenario may expect to change.
    public static let ledgerTables = [
        "contacts", "invoices", "invoice_lines", "vouchers", "voucher_lines", "bank_accounts", "bank_transactions", "payments",
    ]

    /// Reads every `*.toml` in `directory`, sorted by file name; ids must be unique.
    public static func loadAll(from directory: String) throws -> [Scenario] {
        let files: [String]
        do { files = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw ScenarioError("Cannot read the scenario folder \(directory): \(error.localizedDescription). Pass another with --scenarios.")
        }
        var scenarios: [Scenario] = []
        var seen: [String: String] = [:]
        for file in files.filter({ $0.hasSuffix(".toml") }).sorted() {
            let path = (directory as NSString).appendingPathComponent(file)
            let scenario = try load(path: path)
            if let other = seen[scenario.id] { throw ScenarioError("\(path): id \"\(scenario.id)\" is also used by \(other); ids must be unique.") }
            seen[scenario.id] = path
            scenarios.append(scenario)
        }
        if scenarios.isEmpty { throw ScenarioError("No scenario files (*.toml) in \(directory).") }
        return scenarios
    }

    public static func load(path: String) throws -> Scenario {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ScenarioError("Cannot read \(path): \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    /// Parses one scenario; every mistake names the file and the key.
    public static func parse(_ text: String, source: String) throws -> Scenario {
        let json: String
        do { json = try TOMLTable(string: text).convert(to: .json) } catch let error as TOMLParseError {
            throw ScenarioError("\(source):\(error.source.begin.line): \(error.description)")
        } catch {
            throw ScenarioError("\(source): not valid TOML: \(error)")
        }
        guard let root = try? JSONDecoder().decode(Value.self, from: Data(json.utf8)), case .object(let table) = root else {
            throw ScenarioError("\(source): not valid TOML")
        }
        return try Reader(source: source).scenario(table)
    }
}

/// Turns the parsed TOML into a scenario, naming the key of every mistake.
private struct Reader {
    let source: String

    func fail(_ key: String, _ message: String) -> ScenarioError { ScenarioError("\(source): \(key): \(message)") }

    func string(_ value: Value?, _ key: String) throws -> String {
        guard case .string(let text)? = value, !text.isEmpty else { throw fail(key, "expected a non-empty string") }
        return text
    }

    func strings(_ value: Value?, _ key: String) throws -> [String] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw fail(key, "expected a list of strings") }
        return try items.map { try string($0, key) }
    }

    func scenario(_ table: [String: Value]) throws -> Scenario {
        let known: Set<String> = [
            "id", "title", "tags", "turns", "toolsets", "strict", "repeat", "trajectory", "calls", "answer", "ledger", "reference_answers",
        ]
        if let unknown = table.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail(unknown, "unknown key (known: \(known.sorted().joined(separator: ", ")))")
        }
        let id = try string(table["id"], "id")
        guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw fail("id", "use letters, digits, - and _ only (it names files)")
        }
        let turns = try strings(table["turns"], "turns")
        if turns.isEmpty { throw fail("turns", "at least one user turn is required") }
        let toolsets = table["toolsets"] == nil ? Scenario.knownToolsets : try strings(table["toolsets"], "toolsets")
        for toolset in toolsets where !Scenario.knownToolsets.contains(toolset) {
            throw fail("toolsets", "unknown toolset \"\(toolset)\" (known: poc, full)")
        }
        var strict = false
        if let value = table["strict"] {
            guard case .bool(let flag) = value else { throw fail("strict", "expected true or false") }
            strict = flag
        }
        var repeatCount = 1
        if let value = table["repeat"] {
            guard case .int(let count) = value, (1...100).contains(count) else { throw fail("repeat", "expected a whole number from 1 to 100") }
            repeatCount = count
        }
        let references = try strings(table["reference_answers"], "reference_answers")
        if references.count != turns.count {
            throw fail("reference_answers", "give one reference answer per turn (\(turns.count)); got \(references.count)")
        }
        return Scenario(
            id: id, title: table["title"].flatMap(\.stringValue) ?? id, tags: try strings(table["tags"], "tags"), turns: turns,
            toolsets: toolsets, strict: strict, repeatCount: repeatCount, trajectory: try trajectory(table["trajectory"]),
            calls: try calls(table["calls"], toolsets: toolsets, turns: turns.count), answer: try answer(table["answer"]),
            ledgerChanges: try ledger(table["ledger"]), referenceAnswers: references)
    }

    func trajectory(_ value: Value?) throws -> Trajectory {
        guard let value else { return Trajectory() }
        guard case .object(let table) = value else { throw fail("trajectory", "expected a table") }
        var result = Trajectory()
        for (key, entry) in table {
            switch key {
            case "order":
                guard let order = entry.stringValue.flatMap(Trajectory.Order.init(rawValue:)) else {
                    throw fail("trajectory.order", "expected one of \"any\", \"in_order\", \"exact\"")
                }
                result.order = order
            case "extra":
                guard let extra = entry.stringValue.flatMap(Trajectory.Extra.init(rawValue:)) else {
                    throw fail("trajectory.extra", "expected one of \"allowed\", \"read_only\", \"forbidden\"")
                }
                result.extra = extra
            case "forbidden": result.forbidden = try strings(entry, "trajectory.forbidden")
            default: throw fail("trajectory.\(key)", "unknown key (known: order, extra, forbidden)")
            }
        }
        return result
    }

    func calls(_ value: Value?, toolsets: [String], turns: Int) throws -> [String: [ExpectedCall]] {
        guard let value else { return [:] }
        guard case .object(let table) = value else { throw fail("calls", "expected a table of toolsets: [[calls.full]], [[calls.poc]]") }
        var result: [String: [ExpectedCall]] = [:]
        for (toolset, entries) in table {
            guard toolsets.contains(toolset) else { throw fail("calls.\(toolset)", "not one of this scenario's toolsets (\(toolsets.joined(separator: ", ")))") }
            guard case .array(let items) = entries else { throw fail("calls.\(toolset)", "expected a list: [[calls.\(toolset)]]") }
            result[toolset] = try items.enumerated().map { index, item in
                let key = "calls.\(toolset)[\(index + 1)]"
                guard case .object(let call) = item else { throw fail(key, "expected a table with tool and args") }
                if let unknown = call.keys.sorted().first(where: { !["tool", "turn", "args"].contains($0) }) {
                    throw fail("\(key).\(unknown)", "unknown key (known: tool, turn, args)")
                }
                var turn = 1
                if let value = call["turn"] {
                    guard case .int(let number) = value, (1...turns).contains(number) else { throw fail("\(key).turn", "expected a turn from 1 to \(turns)") }
                    turn = number
                }
                var arguments: [ExpectedArgument] = []
                if let args = call["args"] {
                    guard case .object(let fields) = args else { throw fail("\(key).args", "expected a table of argument matchers") }
                    for name in fields.keys.sorted() {
                        var field = fields[name]!
                        var example: Value?
                        if case .object(var table) = field, let value = table.removeValue(forKey: "example") {
                            example = value
                            field = .object(table)
                        }
                        let matcher: ArgumentMatcher
                        do { matcher = try ArgumentMatcher(toml: field) } catch let error as ScenarioError {
                            throw fail("\(key).args.\(name)", error.description)
                        }
                        if let example, !matcher.matches(example) {
                            throw fail("\(key).args.\(name).example", "the example does not match its own matcher")
                        }
                        arguments.append(ExpectedArgument(name: name, matcher: matcher, example: example))
                    }
                }
                return ExpectedCall(tool: try string(call["tool"], "\(key).tool"), turn: turn, arguments: arguments)
            }
        }
        return result
    }

    func answer(_ value: Value?) throws -> AnswerChecks {
        guard let value else { return AnswerChecks() }
        guard case .object(let table) = value else { throw fail("answer", "expected a table") }
        var checks = AnswerChecks()
        for (key, entry) in table {
            switch key {
            case "contains_all": checks.containsAll = try strings(entry, "answer.contains_all")
            case "contains_any": checks.containsAny = try strings(entry, "answer.contains_any")
            case "not_contains": checks.notContains = try strings(entry, "answer.not_contains")
            case "regex":
                checks.regex = try entry.stringValue.map { [$0] } ?? strings(entry, "answer.regex")
                for pattern in checks.regex where (try? NSRegularExpression(pattern: pattern)) == nil {
                    throw fail("answer.regex", "not a valid regular expression: \(pattern)")
                }
            default: throw fail("answer.\(key)", "unknown key (known: contains_all, contains_any, not_contains, regex)")
            }
        }
        return checks
    }

    func ledger(_ value: Value?) throws -> [String: Int] {
        guard let value else { return [:] }
        guard case .object(let table) = value else { throw fail("ledger", "expected a table of row-count changes, e.g. contacts = 1") }
        var result: [String: Int] = [:]
        for (key, entry) in table {
            guard Scenario.ledgerTables.contains(key) else {
                throw fail("ledger.\(key)", "unknown table (known: \(Scenario.ledgerTables.joined(separator: ", ")))")
            }
            guard case .int(let change) = entry else { throw fail("ledger.\(key)", "expected a whole number (rows added; 0 = unchanged)") }
            result[key] = change
        }
        return result
    }
}
