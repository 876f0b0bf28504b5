import Foundation
import MCP

#if canImport(Glibc)
    import Glibc
#endif

/// Structured logs: one JSON object per line, to stderr (never stdout, which stdio mode uses for
/// protocol messages) and, when asked, appended to a file.
public final class ServerLog: Sendable {
    private let fileDescriptors: [Int32]

    /// - Parameters:
    ///   - toStandardError: write each line to stderr.
    ///   - filePath: also append each line to this file, created if missing.
    public init(toStandardError: Bool = true, filePath: String? = nil) throws {
        var descriptors: [Int32] = toStandardError ? [STDERR_FILENO] : []
        if let filePath {
            let directory = (filePath as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let descriptor = open(filePath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw ToolCallError("cannot open the log file \(filePath): \(String(cString: strerror(errno))); choose a writable --log-file")
            }
            descriptors.append(descriptor)
        }
        fileDescriptors = descriptors
    }

    /// Writes one event. Fields are encoded with sorted keys so lines are stable and diffable.
    public func write(_ event: String, _ fields: [String: Value]) {
        guard !fileDescriptors.isEmpty else { return }
        var record = fields
        record["event"] = .string(event)
        record["ts"] = .string(Self.timestamp())
        var line = JSONWriter.encode(.object(record), sortedKeys: true)
        line.append(0x0A)
        // One write(2) per line: with O_APPEND, concurrent lines never interleave.
        line.withUnsafeBytes { bytes in
            for descriptor in fileDescriptors { _ = Glibc.write(descriptor, bytes.baseAddress, bytes.count) }
        }
    }

    /// ISO 8601 UTC with milliseconds, formatted by hand: `String(format:)` was a visible cost per request.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = Int(now.tv_nsec / 1_000_000)
        let millisText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(millisText)Z"
    }

    /// Argument names whose values never reach a log or a trace (the agent's traces use `redact` too).
    static let secretNames = ["token", "secret", "password", "passwd", "authorization", "api_key", "apikey", "credential"]

    /// A copy of the arguments with secret-looking values replaced by "[redacted]", at any depth.
    public static func redact(_ value: Value) -> Value {
        switch value {
        case .object(let object):
            var copy: [String: Value] = [:]
            for (key, inner) in object {
                let lowered = key.lowercased()
                copy[key] = secretNames.contains(where: lowered.contains) ? .string("[redacted]") : redact(inner)
            }
            return .object(copy)
        case .array(let items): return .array(items.map(redact))
        default: return value
        }
    }
}
