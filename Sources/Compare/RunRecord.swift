import Foundation
import LLM
import Ledger
import MCP

/// Everything one run of one scenario produced, written as JSON: enough to score it again (`--rescore`) and to give
/// other models the same tool results (`--replay`) without calling anything.
public struct RunRecord: Codable, Sendable, Equatable {
    public var scenario: String
    public var model: String
    public var toolset: String
    /// 1-based, up to the scenario's repeat count.
    public var repetition: Int
    /// The run's place in its comparison, so a rescore shows models and toolsets in the order they were asked for.
    public var sequence: Int?
    public var startedAt: String
    public var turns: [TurnRecord]
    public var toolCalls: [CallRecord]
    /// The tools offered, with what scoring needs to judge calls: read-only or not, the input schema.
    public var tools: [ToolInfo]
    public var usage: Usage
    public var rounds: Int
    public var latencyMs: Int
    public var cost: Double?
    public var outcome: Outcome
    public var ledgerBefore: [String: TableState]
    public var ledgerAfter: [String: TableState]
    /// The whole conversation as the model saw it (system prompt included).
    public var messages: [ChatMessage]

    /// How the run ended.
    public enum Outcome: Codable, Sendable, Equatable {
        case answered
        /// No answer within the per-run time limit (seconds).
        case timeout(seconds: Double)
        /// The model gave up within the round limit.
        case noAnswer(String)
        /// The model endpoint failed.
        case error(String)
    }

    /// The last turn's answer, which the answer checks read.
    public var finalAnswer: String { turns.last?.answer ?? "" }

    /// The last turn's answer stopped at the model's token limit.
    public var finalAnswerCutOff: Bool { turns.last?.cutOff ?? false }
}

/// One user turn and what the model said to it.
public struct TurnRecord: Codable, Sendable, Equatable {
    public var question: String
    public var answer: String?
    public var latencyMs: Int
    /// The answer stopped at the model's token limit (absent in records written before this was kept).
    public var cutOff: Bool?
}

/// One tool call as the model made it, and what came back.
public struct CallRecord: Codable, Sendable, Equatable {
    public var turn: Int
    public var round: Int
    public var name: String
    /// The arguments exactly as the model wrote them.
    public var rawArguments: String
    /// Parsed; nil when they were not a JSON object.
    public var arguments: [String: Value]?
    public var isError: Bool
    public var resultText: String
    public var structured: Value?
    public var approval: String
    public var durationMs: Int
}

/// A tool as offered in a run.
public struct ToolInfo: Codable, Sendable, Equatable {
    public var name: String
    public var readOnly: Bool
    public var inputSchema: Value
}

extension RunRecord {
    /// `runs/MODEL/TOOLSET/SCENARIO-K.json` inside a run directory.
    public var relativePath: String { "runs/\(Self.fileSafe(model))/\(toolset)/\(scenario)-\(repetition).json" }

    static func fileSafe(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Every record under `directory/runs`, in a stable order.
    public static func loadAll(from directory: String) throws -> [RunRecord] {
        let root = (directory as NSString).appendingPathComponent("runs")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue,
            let enumerator = FileManager.default.enumerator(atPath: root)
        else {
            throw ScenarioError("\(directory) holds no recorded runs (no runs/ folder). Pass the folder `compare` wrote.")
        }
        var records: [RunRecord] = []
        for case let path as String in enumerator where path.hasSuffix(".json") {
            let full = (root as NSString).appendingPathComponent(path)
            do {
                records.append(try JSONDecoder().decode(RunRecord.self, from: Data(contentsOf: URL(fileURLWithPath: full))))
            } catch {
                throw ScenarioError("\(full) is not a run record: \(error)")
            }
        }
        if records.isEmpty { throw ScenarioError("\(directory)/runs holds no run records.") }
        return records.sorted {
            ($0.sequence ?? Int.max, $0.model, $0.toolset, $0.scenario, $0.repetition)
                < ($1.sequence ?? Int.max, $1.model, $1.toolset, $1.scenario, $1.repetition)
        }
    }
}
