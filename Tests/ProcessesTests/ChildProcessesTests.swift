import Foundation
import TestSupport
import Testing

@testable import Processes

@Suite("Child processes")
struct ChildProcessesTests {
    /// Not `shared`: its terminateAll would also stop the MCP peers and the local model of tests running meanwhile.
    let registry = ChildProcesses()

    func start(_ script: String) throws -> SpawnedProcess {
        try registry.start("/bin/sh", ["-c", script])
    }

    @Test("a child is registered while it runs and leaves the registry when reaped, whoever waits for it")
    func reapedChildLeaves() async throws {
        let child = try start("exec sleep 600")
        #expect(registry.contains(child.processIdentifier))
        #expect(await child.stop(grace: .seconds(30)))
        #expect(!registry.contains(child.processIdentifier), "its pid may be another process's now")
        let quick = try start("exit 3")
        #expect(quick.waitUntilExit(timeout: .seconds(30)) == ChildExit(status: 3, signaled: false))
        #expect(!registry.contains(quick.processIdentifier))
    }

    @Test("children see SIGTERM (nothing blocked); one that ignores it is killed after the grace period")
    func stubbornChild() async throws {
        let trapSet = scratchPath("trap-set")
        defer { try? FileManager.default.removeItem(atPath: trapSet) }
        // Long enough to still run when the signal comes, however slowly a busy machine gets this test there.
        let polite = try start("exec sleep 600")
        let stubborn = try start("trap '' TERM; touch '\(trapSet)'; while true; do sleep 0.1; done")
        defer { for child in [polite, stubborn] { child.send(SIGKILL) } }
        // Signalled before the trap is set, the stubborn child would die politely: wait for its word (a busy machine
        // can take seconds to get there).
        let deadline = ContinuousClock.now + .seconds(120)
        while !FileManager.default.fileExists(atPath: trapSet) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(ChildProcesses.isRunning(polite.processIdentifier) && ChildProcesses.isRunning(stubborn.processIdentifier))
        // terminateAll waits out the grace period in place, as it does at exit: here on a thread of its own.
        try await onOwnThread { [registry] in registry.terminateAll(grace: .milliseconds(500)) }
        #expect(await polite.waitForExit(timeout: .seconds(30)) == ChildExit(status: SIGTERM, signaled: true))
        #expect(await stubborn.waitForExit(timeout: .seconds(30)) == ChildExit(status: SIGKILL, signaled: true))
    }
}
