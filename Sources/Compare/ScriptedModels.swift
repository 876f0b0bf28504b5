import Foundation
import Agent
import LLM
import MCP

/// Models that follow a script written from each scenario, no network involved: `scripted` makes exactly the
/// expected calls and gives the reference answer (proving the scenarios can be passed), and each flaw makes one
/// kind of mistake, so the scores can be checked against what it did.
public enum ScriptedBehaviour: String, Sendable, CaseIterable {
    /// The expected calls, then the reference answer.
    case perfect
    /// A different (reading) tool where a call is expected, then an answer without the facts.
    case wrongTool = "wrong-tool"
    /// The expected tools with one argument value changed, then an answer without the facts.
    case wrongArgs = "wrong-args"
    /// The expected calls plus a contact it was not asked to create, then the reference answer.
    case extraWrite = "extra-write"
    /// First a tool that does not exist; after the error, the expected calls and the reference answer.
    case hallucinatedTool = "hallucinated-tool"
    /// Never answers.
    case timeout

    /// The model name in `--models`: `scripted` or `scripted:FLAW`.
    public var modelName: String { self == .perfect ? "scripted" : "scripted:\(rawValue)" }

    /// `scripted` → perfect, `scripted:wrong-tool` → wrongTool; nil for any other name.
    public init?(modelName: String) {
        if modelName == "scripted" {
            self = .perfect
            return
        }
        guard modelName.hasPrefix("scripted:"), let behaviour = ScriptedBehaviour(rawValue: String(modelName.dropFirst(9))) else { return nil }
        self = behaviour
    }

    /// The name of the tool the hallucinating model calls.
    public static let hallucinatedToolName = "get_invoice_summary"
    /// The contact the extra-write model creates.
    public static let extraContactName = "Scripted Extra GmbH"
    /// What the flawed models answer after going wrong.
    public static let vagueAnswer = "Here is what I found."
}

/// A `ChatProvider` playing one scripted behaviour through one scenario. The turn is the number of user messages so
/// far; the round is the number of assistant messages since the last one.
struct ScriptedModel: ChatProvider {
    let behaviour: ScriptedBehaviour
    let scenario: Scenario
    let toolset: String

    func send(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
        let reply = behaviour == .timeout ? nil : self.reply(to: request)
        return AsyncThrowingStream { continuation in
            let task = Task {
                guard let reply else {
                    // Stays silent until the run's time limit cancels it.
                    try? await Task.sleep(for: .seconds(24 * 3600))
                    continuation.finish(throwing: CancellationError())
                    return
                }
                let promptTokens = request.messages.reduce(0) { $0 + $1.content.count / 4 } + request.tools.count * 60
                switch reply {
                case .text(let text):
                    continuation.yield(.textDelta(text))
                    continuation.yield(.usage(Usage(inputTokens: promptTokens, outputTokens: max(1, text.count / 4))))
                    continuation.yield(.finish(.stop))
                case .calls(let calls):
                    for (index, call) in calls.enumerated() {
                        continuation.yield(.toolCallStart(index: index, id: "scripted_\(index)", name: call.name))
                        continuation.yield(.toolCallArgumentsDelta(index: index, fragment: call.arguments))
                        continuation.yield(.toolCallEnd(index: index))
                    }
                    continuation.yield(.usage(Usage(inputTokens: promptTokens, outputTokens: 20 * calls.count)))
                    continuation.yield(.finish(.toolCalls))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    enum Reply {
        case text(String)
        case calls([(name: String, arguments: String)])
    }

    func reply(to request: ChatRequest) -> Reply {
        let turn = max(1, request.messages.filter { $0.role == .user }.count)
        let lastUser = request.messages.lastIndex { $0.role == .user } ?? 0
        let round = request.messages[lastUser...].filter { $0.role == .assistant }.count
        let reference = scenario.referenceAnswers[min(turn, scenario.referenceAnswers.count) - 1]
        let schemas = Dictionary(request.tools.map { ($0.name, $0.parameters) }, uniquingKeysWith: { first, _ in first })
        let expected = (scenario.calls[toolset] ?? []).filter { $0.turn == turn }
        let perfectCalls = expected.map { ($0.tool, Self.arguments(for: $0)) }

        func perfect(from start: Int) -> Reply {
            if round == start, !perfectCalls.isEmpty { return .calls(perfectCalls.map { ($0.0, Self.json($0.1)) }) }
            return .text(reference)
        }

        switch behaviour {
        case .perfect, .timeout:
            return perfect(from: 0)
        case .wrongTool:
            guard !expected.isEmpty else { return perfect(from: 0) }
            guard round == 0 else { return .text(ScriptedBehaviour.vagueAnswer) }
            let expectedNames = Set(expected.map(\.tool))
            // A reading tool that needs no arguments and is not one of the expected ones.
            let standIn = request.tools.map(\.name).sorted().first { name in
                !expectedNames.contains(name) && !Self.isWrite(name) && Self.required(schemas[name]).isEmpty
            }
            guard let standIn else { return .text(ScriptedBehaviour.vagueAnswer) }
            return .calls([(standIn, "{}")])
        case .wrongArgs:
            guard let mutated = Self.mutate(perfectCalls, expected: expected, schemas: schemas) else { return perfect(from: 0) }
            guard round == 0 else { return .text(ScriptedBehaviour.vagueAnswer) }
            return .calls(mutated.map { ($0.0, Self.json($0.1)) })
        case .extraWrite:
            if turn == 1 && round == 0 {
                let extra = ("create_contact", Self.json(["name": .string(ScriptedBehaviour.extraContactName)]))
                return .calls(perfectCalls.map { ($0.0, Self.json($0.1)) } + [extra])
            }
            return turn == 1 ? .text(reference) : perfect(from: 0)
        case .hallucinatedTool:
            if turn == 1 && round == 0 { return .calls([(ScriptedBehaviour.hallucinatedToolName, "{}")]) }
            return perfect(from: turn == 1 ? 1 : 0)
        }
    }

    /// The arguments a perfect model passes: each matcher's example value.
    static func arguments(for call: ExpectedCall) -> [String: Value] {
        var arguments: [String: Value] = [:]
        for argument in call.arguments {
            if let value = argument.referenceValue { arguments[argument.name] = value }
        }
        return arguments
    }

    /// The calls with one argument given a value its matcher rejects but its schema allows; nil when no argument
    /// can be changed that way.
    static func mutate(_ calls: [(String, [String: Value])], expected: [ExpectedCall], schemas: [String: Value]) -> [(String, [String: Value])]? {
        for (index, call) in expected.enumerated() {
            for (name, matcher) in call.arguments.map({ ($0.name, $0.matcher) }) {
                guard let value = calls[index].1[name] else { continue }
                let property = schemas[call.tool]?.objectValue?["properties"]?.objectValue?[name]
                for candidate in candidates(for: value, property: property) where !matcher.matches(candidate) {
                    var changed = calls[index].1
                    changed[name] = candidate
                    guard ArgumentRepair.violation(changed, schema: schemas[call.tool] ?? .object([:])) == nil else { continue }
                    var result = calls
                    result[index].1 = changed
                    return result
                }
            }
        }
        return nil
    }

    static func candidates(for value: Value, property: Value?) -> [Value] {
        if case .array(let choices)? = property?.objectValue?["enum"] { return choices.filter { $0 != value } }
        switch value {
        case .int(let number): return [number + 1, number - 1, number * 2, number + 100].map(Value.int)
        case .double(let number): return [number + 1, number * 2].map(Value.double)
        case .bool(let flag): return [.bool(!flag)]
        case .string(let text):
            if text.count == 10, let year = Int(text.prefix(4)), text.dropFirst(4).first == "-" {
                return [.string(String(year - 1) + text.dropFirst(4))]
            }
            return [.string(text + " Extra"), .string("X" + text)]
        default: return []
        }
    }

    static func isWrite(_ name: String) -> Bool { name.hasPrefix("create_") || name.hasPrefix("update_") || name.hasPrefix("delete_") }

    static func required(_ schema: Value?) -> [String] {
        guard case .array(let names)? = schema?.objectValue?["required"] else { return [] }
        return names.compactMap(\.stringValue)
    }

    static func json(_ arguments: [String: Value]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(arguments)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
