import Foundation
import Processes
import TestSupport
import Testing

@testable import MCPClient

/// `bearer_token_command` as a shell runs it: the token it prints, its failures, and commands that never end.
@Suite("bearer token command")
struct TokenCommandTests {
    @Test("the token is what the command printed, without the line break")
    func printedToken() async throws {
        #expect(try await runTokenCommand("printf '  eyJ.token.sig\\n\\n'", server: "secured") == "eyJ.token.sig")
    }

    @Test("a failing command is an unauthorized error with its status and its own words")
    func failingCommand() async throws {
        let error = await #expect(throws: MCPTransportError.self) {
            try await runTokenCommand("echo 'login expired, run aws sso login' >&2; exit 3", server: "secured")
        }
        let text = error?.description ?? ""
        #expect(text.contains("exited with status 3") && text.contains("run aws sso login"), "\(text)")
        #expect(text.contains("secured"), "\(text)")
    }

    @Test("a command that prints nothing says so")
    func emptyToken() async throws {
        let error = await #expect(throws: MCPTransportError.self) { try await runTokenCommand("true", server: "secured") }
        #expect(error?.description.contains("printed no token") == true, "\(String(describing: error))")
    }

    @Test("much written to stderr before the token does not block the command")
    func chattyStandardError() async throws {
        // 256 KiB on stderr fills its pipe four times over; read one after the other, the command would never end.
        let command = "head -c 262144 /dev/zero | tr '\\0' x >&2; echo the-token"
        #expect(try await runTokenCommand(command, server: "secured", deadline: .seconds(20)) == "the-token")
    }

    @Test("a command that hangs is stopped at the deadline with a hint, with what it started, not waited for")
    func hangingCommand() async throws {
        let directory = try scratchDirectory("token-hang")
        // The shell waits for a child that holds the pipes open: the case where waiting for the end of the output
        // would never end.
        let command = "echo $$ > '\(directory)/shell'; sleep 600 & echo $! > '\(directory)/child'; wait"
        let started = ContinuousClock.now
        let error = await #expect(throws: MCPTransportError.self) {
            try await runTokenCommand(command, server: "secured", deadline: .seconds(1))
        }
        // Not a speed check: anything far short of the command's 600 s shows it was not waited for.
        #expect(ContinuousClock.now - started < .seconds(300))
        #expect(error?.description.contains("did not finish within 1 s") == true, "\(String(describing: error))")
        let shell = try #require(Int32(String(contentsOfFile: directory + "/shell", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let child = try #require(Int32(String(contentsOfFile: directory + "/child", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(child, SIGKILL) }
        var waited = 0
        while (ChildProcesses.isRunning(shell) || ChildProcesses.isRunning(child)) && waited < 100 {
            try await Task.sleep(for: .milliseconds(100))
            waited += 1
        }
        #expect(!ChildProcesses.isRunning(shell), "bearer_token_command's shell still runs after the deadline")
        #expect(!ChildProcesses.isRunning(child), "what bearer_token_command started still runs after the deadline")
    }
}
