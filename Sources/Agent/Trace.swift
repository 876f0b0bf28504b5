import AccountingServer
import Config
import Foundation
import LLM
import MCP

/// Collects what happens during one question, from the agent's events.
public final class TurnRecorder: @unchecked Sendable {
    // Safe: every access to `rounds` goes through `lock`; events may arrive from concurrent tool tasks.
    private var rounds: [[String: Value]] = []
    private let lock = NSLock()

    public init() {}

    public func record(_ event: AgentEvent) {
        guard case .roundFinished(let round, let usage, let latency) = event else { return }
        var entry: [String: Value] = ["round": .int(round), "latency_ms": .int(latency.wholeMilliseconds)]
        if let usage { entry["usage"] = TraceWriter.entry(usage) }
        lock.withLock { rounds.append(entry) }
    }

    var roundEntries: [Value] { lock.withLock { rounds.map(Value.object) } }
}

/// Appends one JSON line per question to a trace file: the request summary, every tool call with its arguments,
/// duration and result size, usage, latency and retries. Secrets never reach the file: argument fields with
/// secret-looking names are redacted, and so is every occurrence of a known secret (API keys) anywhere.
public final class TraceWriter: Sendable {
    public let path: String
    private let secrets: [String]

    public init(path: String, secrets: [String]) throws {
        self.path = path
        self.secrets = secrets.filter { $0.count >= 4 }
        // A bare file name has no folder part: it goes in the current directory, nothing to create.
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw TraceError(description: "cannot create the folder \(folder) for the trace; choose another file with --trace")
            }
        }
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw TraceError(description: "cannot create the trace file \(path); choose another file with --trace")
            }
        }
    }

    /// Today's trace file in `directory`, by default `$XDG_STATE_HOME/ledgerchat/traces` (`~/.local/state/…`).
    /// Named by the calendar day it is written, whatever day the ledger is asked about.
    public static func dailyPath(in directory: String? = nil, day: String) -> String {
        let folder = directory ?? StateDirectory.file("traces")
        return (folder as NSString).appendingPathComponent("\(day).jsonl")
    }

    /// Writes one question's record.
    public func writeTurn(
        question: String, model: String, provider: String, answer: AgentAnswer?, error: (any Error)?, recorder: TurnRecorder,
        duration: Duration
    ) {
        var record: [String: Value] = [
            "event": "turn", "ts": .string(ISO8601DateFormatter().string(from: Date())), "model": .string(model),
            "provider": .string(provider), "question": .string(question), "duration_ms": .int(duration.wholeMilliseconds),
            "rounds": .array(recorder.roundEntries),
        ]
        if let answer {
            record["answer"] = .string(answer.text)
            record["usage"] = Self.entry(answer.usage)
            record["retries"] = .int(answer.retries)
            record["tool_calls"] = .array(answer.toolCalls.map(Self.entry))
            if !answer.unverifiedReferences.isEmpty {
                record["unverified_references"] = .array(answer.unverifiedReferences.map(Value.string))
            }
            if answer.cutOff { record["cut_off"] = true }
            if answer.stoppedRepeating { record["stopped_repeating"] = true }
            if let claim = answer.unmadeChange { record["unmade_change"] = .string(claim) }
        }
        if let error { record["error"] = .string("\(error)") }
        append(.object(record))
    }

    /// `cached` only where the server said how much of the input it had computed already.
    static func entry(_ usage: Usage) -> Value {
        var entry: [String: Value] = ["input": .int(usage.inputTokens), "output": .int(usage.outputTokens)]
        if let cached = usage.cachedInputTokens { entry["cached"] = .int(cached) }
        return .object(entry)
    }

    static func entry(_ call: ExecutedToolCall) -> Value {
        [
            "round": .int(call.round), "name": .string(call.name),
            "arguments": ServerLog.redact(call.arguments.map(Value.object) ?? .string(call.rawArguments)),
            "duration_ms": .int(call.duration.wholeMilliseconds), "result_chars": .int(call.outcome.text.count),
            "model_chars": .int(call.modelText.count), "is_error": .bool(call.outcome.isError), "approval": .string(call.approval.rawValue),
        ]
    }

    func append(_ record: Value) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(record) else { return }
        var line = String(decoding: data, as: UTF8.self)
        for secret in secrets { line = line.replacingOccurrences(of: secret, with: "[redacted]") }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((line + "\n").utf8))
    }
}

/// The trace file cannot be written.
public struct TraceError: Error, CustomStringConvertible {
    public var description: String
}

extension Duration {
    public var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
