import Foundation
import Synchronization

/// What a command printed and how it ended, once it has ended.
public struct CollectedRun: Sendable {
    public var status: Int32
    public var standardOutput: Data
    public var standardError: Data

    /// Starts `process` (executable, arguments and the rest already set) with stdin on /dev/null, and waits until it
    /// has ended and closed its output, reading stdout and stderr at once (one read after the other, a command filling
    /// one pipe while we wait on the other never ends). The waiting happens on threads of its own: Swift's cooperative
    /// pool and GCD's global queues have one thread per core, and a blocked one stalls everything queued behind it.
    ///
    /// Returns nil if that takes longer than `deadline`: the process and its process group (Foundation starts it in
    /// one of its own, so this reaches what it started) are then killed, and nothing waits for the pipes, which a
    /// grandchild may still hold.
    public static func run(_ process: Process, deadline: Duration) async throws -> CollectedRun? {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try collect(process, deadline: deadline) }) }
        }
    }

    private static func collect(_ process: Process, deadline: Duration) throws -> CollectedRun? {
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let printed = Mutex([Data(), Data()])
        let drained = DispatchGroup()
        for (index, pipe) in [output, errors].enumerated() {
            drained.enter()
            Thread.detachNewThread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                printed.withLock { $0[index] = data }
                drained.leave()
            }
        }
        let (seconds, attoseconds) = deadline.components
        if drained.wait(timeout: .now() + Double(seconds) + Double(attoseconds) / 1e18) == .timedOut {
            kill(-process.processIdentifier, SIGKILL)
            return nil
        }
        process.waitUntilExit()
        let (standardOutput, standardError) = printed.withLock { ($0[0], $0[1]) }
        return CollectedRun(
            status: process.terminationStatus, standardOutput: standardOutput, standardError: standardError)
    }
}
