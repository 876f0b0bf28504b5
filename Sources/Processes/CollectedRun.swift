import Foundation
import Synchronization

/// What a command printed and how it ended, once it has ended.
public struct CollectedRun: Sendable {
    public var status: Int32
    public var signaled: Bool
    public var standardOutput: Data
    public var standardError: Data

    /// Runs `executable` with `arguments` (stdin on /dev/null) until it has ended and closed its output, reading
    /// stdout and stderr at once (one read after the other, a command filling one pipe while we wait on the other
    /// never ends). The reading happens on threads of its own: Swift's cooperative pool and GCD's global queues have
    /// one thread per core, and a blocked one stalls everything queued behind it.
    ///
    /// Returns nil if that takes longer than `deadline`: the command's process group (what it started too) is then
    /// killed, and nothing waits for the pipes, which a grandchild may still hold.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        deadline: Duration
    ) async throws -> CollectedRun? {
        let started = ContinuousClock.now
        let child = try SpawnedProcess(
            executable, arguments, environment: environment, directory: directory, input: .null, output: .pipe, error: .pipe)
        let printed = Mutex([Data(), Data()])
        let drained = DispatchGroup()
        for (index, handle) in [child.standardOutput, child.standardError].enumerated() {
            guard let handle else { continue }
            drained.enter()
            Thread.detachNewThread {
                let data = handle.readDataToEndOfFile()
                printed.withLock { $0[index] = data }
                drained.leave()
            }
        }
        let (seconds, attoseconds) = deadline.components
        let readAll = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: drained.wait(timeout: .now() + Double(seconds) + Double(attoseconds) / 1e18) == .success)
            }
        }
        // Output closed: the command has ended or is about to (one may close its output and run on: the deadline holds).
        if readAll, let ended = await child.waitForExit(timeout: max(.zero, deadline - (ContinuousClock.now - started))) {
            let (standardOutput, standardError) = printed.withLock { ($0[0], $0[1]) }
            return CollectedRun(status: ended.status, signaled: ended.signaled, standardOutput: standardOutput, standardError: standardError)
        }
        child.sendToGroup(SIGKILL)
        // Reaped, so no zombie stays behind; SIGKILL ends it at once.
        _ = await child.waitForExit(timeout: .seconds(5))
        return nil
    }
}
