import Foundation
import Synchronization

/// Every process ledgerchat started and must not leave behind (stdio MCP servers, the local model's llama-server):
/// stopped when ledgerchat exits, and from signal handlers, which `atexit` alone would miss.
public final class ChildProcesses: Sendable {
    /// The registry of this process, emptied at exit.
    public static let shared: ChildProcesses = {
        atexit { ChildProcesses.shared.terminateAll() }
        return ChildProcesses()
    }()
    private let pids = Mutex(Set<Int32>())

    /// A registry of its own: tests use one, so that `terminateAll` never reaches the children other tests started.
    init() {}

    /// Starts a child (see `SpawnedProcess`: no signal blocked, its own process group, no descriptor of ours but
    /// the streams given) and registers it until it is reaped (by whoever waits for it).
    public func start(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, directory: String? = nil,
        input: ChildStream = .null, output: ChildStream = .inherit, error: ChildStream = .inherit
    ) throws -> SpawnedProcess {
        try SpawnedProcess(
            executable, arguments, environment: environment, directory: directory, input: input, output: output, error: error,
            registry: self)
    }

    // Pids rather than the `SpawnedProcess`es: `terminateAll` runs in signal handlers, and a child's own lock is held
    // while anyone polls it for its exit.
    func add(_ pid: Int32) { _ = pids.withLock { $0.insert(pid) } }
    func remove(_ pid: Int32) { _ = pids.withLock { $0.remove(pid) } }
    func contains(_ pid: Int32) -> Bool { pids.withLock { $0.contains(pid) } }

    /// SIGTERM to every child still registered, then SIGKILL to those still running after `grace` (a child that
    /// ignores SIGTERM, or one started elsewhere with it blocked; an orphaned llama-server holds 2 GB).
    public func terminateAll(grace: Duration = .seconds(2)) {
        let running = pids.withLock { $0 }.filter(Self.isRunning)
        guard !running.isEmpty else { return }
        for pid in running { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline && running.contains(where: Self.isRunning) { usleep(20_000) }
        for pid in running where Self.isRunning(pid) { kill(pid, SIGKILL) }
    }

    /// Alive and not a zombie waiting to be reaped (`/proc/PID/stat`'s state field).
    public static func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        else { return true }
        return !stat[afterName.upperBound...].hasPrefix("Z")
    }
}
