import Curl
import Foundation

/// A failure worth another try: rate limits, server errors, broken connections, a stream cut before anything
/// arrived.
struct RetryableFailure: Error {
    var error: LLMError
    var retryAfter: Duration?
}

/// Runs one model request with retries and streams its events. Shared by every provider: they only say how to
/// build the HTTP request and how to read the answer.
struct RequestRunner: Sendable {
    let profile: ModelProfile

    /// Encodes the request, sends it, and reads the answer as a stream or as one JSON message, whichever came.
    func send(
        path: String, headers: [HeaderField], encode: () throws -> Data,
        readStream: @escaping @Sendable (CurlResponse, _ model: String, _ emit: @Sendable (ChatEvent) -> Void) async throws -> Void,
        readMessage: @escaping @Sendable (Data, _ model: String, _ emit: @Sendable (ChatEvent) -> Void) throws -> Void
    ) -> AsyncThrowingStream<ChatEvent, any Error> {
        let body: Data
        do { body = try encode() } catch {
            let failure = LLMError.malformed(model: profile.name, detail: "cannot encode the request: \(error)")
            return AsyncThrowingStream { $0.finish(throwing: failure) }
        }
        let name = profile.name
        return run(path: path, body: body, headers: headers) { response, emit in
            if response.header("Content-Type")?.hasPrefix("text/event-stream") == true {
                try await readStream(response, name, emit)
            } else {
                try readMessage(try await response.collect(), name, emit)
            }
        }
    }

    /// - Parameters:
    ///   - path: appended to the profile's base URL.
    ///   - body: the JSON request body.
    ///   - headers: provider-specific headers; the profile's extra headers are added.
    ///   - read: turns a 2xx response into events, calling `emit` for each; throws `RetryableFailure` when the
    ///     answer broke off before anything was emitted.
    func run(
        path: String, body: Data, headers: [HeaderField],
        read: @escaping @Sendable (CurlResponse, _ emit: @Sendable (ChatEvent) -> Void) async throws -> Void
    ) -> AsyncThrowingStream<ChatEvent, any Error> {
        let profile = self.profile
        return AsyncThrowingStream { continuation in
            let task = Task {
                var attempt = 1
                while true {
                    let emitted = Counter()
                    do {
                        let response = try await Self.post(profile: profile, path: path, body: body, headers: headers, attempt: attempt)
                        try await read(response) { event in
                            emitted.increment()
                            continuation.yield(event)
                        }
                        continuation.finish()
                        return
                    } catch let failure as RetryableFailure {
                        let mayRetry = attempt < profile.retry.maxAttempts && emitted.value == 0 && !Task.isCancelled
                        guard mayRetry else {
                            continuation.finish(throwing: emitted.value > 0 ? Self.incomplete(failure.error, profile) : failure.error)
                            return
                        }
                        attempt += 1
                        let delay = profile.retry.delay(beforeAttempt: attempt, retryAfter: failure.retryAfter)
                        continuation.yield(.retrying(attempt: attempt, after: delay, reason: failure.error.description))
                        do { try await profile.retry.sleep(delay) } catch {
                            continuation.finish(throwing: error)
                            return
                        }
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private static func incomplete(_ error: LLMError, _ profile: ModelProfile) -> LLMError {
        if case .incomplete = error { return error }
        return .incomplete(model: profile.name, detail: error.description)
    }

    /// One POST; a non-2xx answer or a broken connection becomes an `LLMError`, retryable where it makes sense.
    static func post(profile: ModelProfile, path: String, body: Data, headers: [HeaderField], attempt: Int) async throws -> CurlResponse {
        var allHeaders = [HeaderField("Content-Type", "application/json"), HeaderField("Accept", "application/json, text/event-stream")]
        allHeaders += headers + profile.headers
        let request = CurlRequest(url: profile.baseURL + path, method: "POST", headers: allHeaders, body: body, timeouts: profile.timeouts)
        let response: CurlResponse
        do {
            response = try await Curl.perform(request)
        } catch let error as CurlError {
            let failure = LLMError.transport(model: profile.name, detail: error.description, attempts: attempt)
            switch error {
            case .couldNotConnect, .timedOut, .transfer: throw RetryableFailure(error: failure, retryAfter: nil)
            case .tls, .invalidRequest: throw failure
            }
        }
        guard (200..<300).contains(response.status) else {
            let data = (try? await response.collect()) ?? Data()
            let error = LLMError.api(model: profile.name, status: response.status, message: apiMessage(data), attempts: attempt)
            if response.status == 408 || response.status == 429 || (500...599).contains(response.status) {
                throw RetryableFailure(error: error, retryAfter: response.header("Retry-After").flatMap(parseRetryAfter))
            }
            throw error
        }
        return response
    }

    /// The API's own error message: `{"error":{"message":…}}` (OpenAI, Anthropic, llama-server), `{"message":…}`,
    /// or the start of the body.
    static func apiMessage(_ data: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return message }
            if let error = object["error"] as? String { return error }
            if let message = object["message"] as? String { return message }
        }
        let text = String(decoding: data.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "no details given" : text
    }

    /// `Retry-After` in seconds (an HTTP date is treated as "soon").
    static func parseRetryAfter(_ value: String) -> Duration? {
        if let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        return nil
    }
}

/// A count shared with the `emit` closure of one attempt.
final class Counter: @unchecked Sendable {
    // Safe: only touched by the one task that runs the attempt; the lock guards against a reader on another thread.
    private var count = 0
    private let lock = NSLock()
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// JSON helpers for the wire formats, which are read loosely with `JSONSerialization`.
enum WireJSON {
    static func object(_ data: Data) -> [String: Any]? { try? JSONSerialization.jsonObject(with: data) as? [String: Any] }
    static func object(_ text: String) -> [String: Any]? { object(Data(text.utf8)) }
    static func encode(_ object: Any) throws -> Data {
        // Sorted keys: the same tools and history give the same bytes, so llama-server can reuse its prompt cache.
        try JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes, .sortedKeys])
    }
}
