import Foundation
import Synchronization

/// Every process ledgerchat started and must not leave behind (stdio MCP servers, the local model's llama-server):
/// sent SIGTERM when ledgerchat exits, and from signal handlers, which `atexit` alone would miss.
public final class ChildProcesses: Sendable {
    public static let shared = ChildProcesses()
    private let pids = Mutex(Set<Int32>())

    private init() {
        atexit { ChildProcesses.shared.terminateAll() }
    }

    public func add(_ pid: Int32) { _ = pids.withLock { $0.insert(pid) } }
    public func remove(_ pid: Int32) { _ = pids.withLock { $0.remove(pid) } }

    /// Sends SIGTERM to every child still registered.
    public func terminateAll() {
        for pid in pids.withLock({ $0 }) { kill(pid, SIGTERM) }
    }
}
