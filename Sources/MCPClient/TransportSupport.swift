import Foundation
import MCP
import Processes

/// Why a transport could not deliver a message, in words that say what to do next.
public enum MCPTransportError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The server forgot our session (HTTP 404 on a live session): a new session is needed.
    case sessionExpired(server: String)
    /// 401, after the token command (if any) was run again.
    case unauthorized(server: String, detail: String)
    /// Any other HTTP error status.
    case http(server: String, status: Int, detail: String)
    /// The server answered something that is not JSON-RPC.
    case malformed(server: String, detail: String)
    /// The server process or connection is gone.
    case closed(server: String, detail: String)
    case notConnected(server: String)

    public var description: String {
        switch self {
        case .sessionExpired(let server):
            return "\(server): the server no longer knows this session (HTTP 404); a new session is started."
        case .unauthorized(let server, let detail):
            return "\(server): not authorised (HTTP 401)\(detail.isEmpty ? "" : ": \(detail)"). "
                + "Check the server's headers or bearer_token_command in the config."
        case .http(let server, let status, let detail):
            return "\(server): the server answered HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")."
        case .malformed(let server, let detail):
            return "\(server): the server sent something that is not valid MCP: \(detail)"
        case .closed(let server, let detail):
            return "\(server): \(detail)"
        case .notConnected(let server):
            return "\(server): not connected."
        }
    }

    public var errorDescription: String? { description }
}

/// JSON-RPC error code of the answers a transport makes up for requests whose real answer can no longer come
/// (stream dropped, process exited, malformed data). Inside the JSON-RPC "server error" range.
public let lostAnswerErrorCode = -32099

/// What a transport needs to know about one JSON-RPC message it sends or receives.
struct MessageShape {
    var method: String?
    var id: ID?
    /// A response: it has an id and a result or an error.
    var isResponse: Bool
    var protocolVersion: String?

    init?(_ data: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: data) else { return nil }
        guard let message = object as? [String: Any] else {
            // A batch: only its shape matters to callers, which treat it as opaque.
            guard object is [Any] else { return nil }
            method = nil
            id = nil
            isResponse = false
            return
        }
        method = message["method"] as? String
        if let number = message["id"] as? Int {
            id = .number(number)
        } else if let text = message["id"] as? String {
            id = .string(text)
        }
        isResponse = method == nil && id != nil && (message["result"] != nil || message["error"] != nil)
        protocolVersion = (message["result"] as? [String: Any])?["protocolVersion"] as? String
    }

    var isRequest: Bool { method != nil && id != nil }
}

/// A JSON-RPC error response standing in for an answer that will not come, so the waiting caller fails at once
/// with a message instead of waiting for its timeout.
func lostAnswer(for id: ID, message: String) -> Data {
    let idJSON: Any
    switch id {
    case .number(let number): idJSON = number
    case .string(let text): idJSON = text
    }
    let object: [String: Any] = ["jsonrpc": "2.0", "id": idJSON, "error": ["code": lostAnswerErrorCode, "message": message]]
    return (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
}

/// Runs a shell command and returns what it printed, trimmed: the bearer token of `bearer_token_command`.
///
/// The command may take seconds (a login against an identity provider) and runs within `deadline`: a command that
/// hangs is stopped and reported, since nothing else would end it (the connect timeout cannot cancel a blocked read).
func runTokenCommand(_ command: String, server: String, deadline: Duration = .seconds(30)) async throws -> String {
    let finished: CollectedRun?
    do { finished = try await CollectedRun.run("/bin/sh", ["-c", command], deadline: deadline) } catch {
        throw MCPTransportError.unauthorized(server: server, detail: "cannot run bearer_token_command: \(error)")
    }
    guard let finished else {
        throw MCPTransportError.unauthorized(
            server: server,
            detail: "bearer_token_command did not finish within \(deadline.components.seconds) s and was stopped; "
                + "run it in a shell to see where it waits (it gets no input)")
    }
    let token = String(decoding: finished.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    let errorText = String(decoding: finished.standardError, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard finished.status == 0, !token.isEmpty else {
        let why = finished.status != 0 ? "exited with status \(finished.status)" : "printed no token"
        throw MCPTransportError.unauthorized(
            server: server, detail: "bearer_token_command \(why)\(errorText.isEmpty ? "" : ": \(errorText)")")
    }
    return token
}
