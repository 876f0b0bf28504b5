import Foundation
import Processes
import TestSupport
import Testing

@testable import Curl

/// The loopback test server, started once for the suite.
let loopback = try! PythonServer(script: "loopback_server.py")

@Suite("Curl over loopback", .serialized)
struct CurlTests {
    let server = loopback

    @Test("GET returns status, headers and body")
    func get() async throws {
        let (response, body) = try await Curl.data(CurlRequest(url: server.url("/hello")))
        #expect(response.status == 200)
        #expect(response.header("x-test") == "yes")
        #expect(String(decoding: body, as: UTF8.self) == "hello, ledger")
    }

    @Test("POST sends the body and headers; other methods work")
    func post() async throws {
        let request = CurlRequest(
            url: server.url("/echo"), method: "POST", headers: [HeaderField("Content-Type", "application/json"), HeaderField("Authorization", "Bearer k")],
            body: Data(#"{"q":"Grüße"}"#.utf8))
        let (response, body) = try await Curl.data(request)
        let echo = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        #expect(response.status == 200)
        #expect(echo?["body"] as? String == #"{"q":"Grüße"}"#)
        let headers = echo?["headers"] as? [String: String]
        #expect(headers?["Authorization"] == "Bearer k")
        #expect(headers?["Expect"] == nil)
        let (deleted, _) = try await Curl.data(CurlRequest(url: server.url("/x"), method: "DELETE"))
        #expect(deleted.status == 200)
    }

    @Test("error statuses come back as responses, with their body and Retry-After")
    func errorStatus() async throws {
        let (response, body) = try await Curl.data(CurlRequest(url: server.url("/status/429")))
        #expect(response.status == 429)
        #expect(response.header("Retry-After") == "1")
        #expect(String(decoding: body, as: UTF8.self).contains("status 429 as asked"))
    }

    @Test("a streamed SSE body is parsed incrementally")
    func serverSentEvents() async throws {
        let response = try await Curl.perform(CurlRequest(url: server.url("/sse")))
        #expect(response.header("content-type") == "text/event-stream")
        var events: [ServerSentEvent] = []
        for try await event in response.body.serverSentEvents() { events.append(event) }
        #expect(events == [
            ServerSentEvent(event: "delta", data: "Grüße"),
            ServerSentEvent(data: "line one\nline two", id: "7"),
            ServerSentEvent(data: "[DONE]", id: "7"),
        ])
    }

    @Test("nothing listening: a clear connection error")
    func refused() async throws {
        let error = await #expect(throws: CurlError.self) { try await Curl.perform(CurlRequest(url: "http://127.0.0.1:9/")) }
        #expect(error?.description.contains("Could not connect to http://127.0.0.1:9/") == true)
    }

    @Test("a total timeout stops a slow answer")
    func totalTimeout() async throws {
        let started = ContinuousClock.now
        let error = await #expect(throws: CurlError.self) {
            try await Curl.perform(CurlRequest(url: server.url("/slow-head"), timeouts: CurlTimeouts(total: .milliseconds(500))))
        }
        // The server answers after 30 s; ending well before that is the timeout at work (the bound is loose for busy CI).
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(error?.description.contains("took longer than") == true, "\(String(describing: error))")
    }

    @Test("an idle timeout stops a stream that went quiet")
    func idleTimeout() async throws {
        let started = ContinuousClock.now
        let response = try await Curl.perform(CurlRequest(url: server.url("/stall"), timeouts: CurlTimeouts(idle: .milliseconds(600))))
        let error = await #expect(throws: CurlError.self) { _ = try await response.collect() }
        #expect(error == .timedOut(.idle, url: server.url("/stall"), after: .milliseconds(600)))
        #expect(ContinuousClock.now - started < .seconds(10))  // the stream would stay quiet for 30 s
    }

    @Test("cancelling the task aborts a transfer waiting for its answer, at once")
    func cancelWaiting() async throws {
        let task = Task { try await Curl.perform(CurlRequest(url: server.url("/slow-head"))) }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(ContinuousClock.now - started < .seconds(10))  // the answer would take 30 s
    }

    @Test("cancelling while streaming ends the body, and abandoning the stream aborts the transfer")
    func cancelStreaming() async throws {
        let response = try await Curl.perform(CurlRequest(url: server.url("/forever")))
        let task = Task {
            var chunks = 0
            for try await _ in response.body { chunks += 1 }
            return chunks
        }
        try await Task.sleep(for: .milliseconds(350))
        let started = ContinuousClock.now
        task.cancel()
        _ = try? await task.value
        #expect(ContinuousClock.now - started < .seconds(10))  // the stream never ends by itself

        // Breaking out of the loop early also stops the transfer; a new request still works afterwards.
        let again = try await Curl.perform(CurlRequest(url: server.url("/forever")))
        for try await _ in again.body { break }
        let (hello, _) = try await Curl.data(CurlRequest(url: server.url("/hello")))
        #expect(hello.status == 200)
    }

    @Test("headers with line breaks are refused before anything is sent")
    func headerInjection() async throws {
        await #expect(throws: CurlError.self) {
            try await Curl.perform(CurlRequest(url: server.url("/hello"), headers: [HeaderField("X-Evil", "a\r\nHost: other")]))
        }
    }

    @Test("many transfers at once")
    func concurrent() async throws {
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await Curl.data(CurlRequest(url: server.url("/hello"))).response.status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 20))
    }
}

@Suite("Curl over TLS")
struct CurlTLSTests {
    /// A self-signed certificate for 127.0.0.1, made with the openssl command.
    static func certificate() async throws -> (cert: String, key: String) {
        let directory = try scratchDirectory("tls")
        let made = try await CollectedRun.run(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
            ], deadline: .seconds(120))
        #expect(made?.status == 0, "openssl: \(String(decoding: made?.standardError ?? Data(), as: UTF8.self))")
        return (directory + "/cert.pem", directory + "/key.pem")
    }

    @Test("TLS is verified: an unknown CA fails clearly; trusting its certificate file works")
    func caFile() async throws {
        let (cert, key) = try await Self.certificate()
        let server = try PythonServer(script: "loopback_server.py", arguments: [cert, key])
        let url = "https://127.0.0.1:\(server.port)/hello"
        let error = await #expect(throws: CurlError.self) { try await Curl.perform(CurlRequest(url: url)) }
        guard case .tls? = error else {
            Issue.record("expected a TLS error, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("private CA") == true)
        let (response, body) = try await Curl.data(CurlRequest(url: url, caFile: cert))
        #expect(response.status == 200 && String(decoding: body, as: UTF8.self) == "hello, ledger")
    }
}
