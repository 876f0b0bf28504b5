import Foundation
import Testing

@testable import Processes

@Suite("Child processes")
struct ChildProcessesTests {
    func start(_ script: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        try ChildProcesses.shared.start(process)
        return process
    }

    @Test("children see SIGTERM (nothing blocked); one that ignores it is killed after the grace period")
    func stubbornChild() throws {
        let polite = try start("exec sleep 30")
        let stubborn = try start("trap '' TERM; while true; do sleep 0.1; done")
        Thread.sleep(forTimeInterval: 0.2)  // let the trap be set
        #expect(ChildProcesses.isRunning(polite.processIdentifier) && ChildProcesses.isRunning(stubborn.processIdentifier))
        ChildProcesses.shared.terminateAll(grace: .milliseconds(500))
        polite.waitUntilExit()
        stubborn.waitUntilExit()
        #expect(polite.terminationReason == .uncaughtSignal && polite.terminationStatus == SIGTERM, "signal \(polite.terminationStatus)")
        #expect(stubborn.terminationReason == .uncaughtSignal && stubborn.terminationStatus == SIGKILL)
        ChildProcesses.shared.remove(polite.processIdentifier)
        ChildProcesses.shared.remove(stubborn.processIdentifier)
    }
}
