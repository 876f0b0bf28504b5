import CSpawn
import Foundation
import Synchronization

/// Where a child's standard input, output or error goes.
public enum ChildStream: Sendable {
    /// `/dev/null`.
    case null
    /// This process's own stream.
    case inherit
    /// A pipe to this process: the other end is the `SpawnedProcess`'s `standardInput`/`standardOutput`/`standardError`.
    case pipe
    /// A file, created or emptied first.
    case file(String)
    /// An open descriptor of this process (a socket to hand over); the child gets its own copy.
    case descriptor(Int32)
    /// Standard error only: wherever standard output goes.
    case sameAsOutput
}

/// How a child ended: its exit status, or the signal that killed it.
public struct ChildExit: Sendable, Equatable, CustomStringConvertible {
    /// The exit status, or the number of the signal when `signaled`.
    public var status: Int32
    public var signaled: Bool

    public init(status: Int32, signaled: Bool) {
        self.status = status
        self.signaled = signaled
    }

    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        self.init(status: signal == 0 ? (waitStatus >> 8) & 0xff : signal, signaled: signal != 0)
    }

    public var description: String { signaled ? "was killed by signal \(status)" : "exited with status \(status)" }
}

/// Why a child could not be started, in words that name the command.
public struct SpawnError: Error, CustomStringConvertible, LocalizedError {
    public var description: String
    public var errorDescription: String? { description }
}

/// A child process started with `posix_spawn`, whose end is learnt from `waitpid` alone.
///
/// Foundation's `Process` is not used for children: on Linux it learns of a child's exit when a socket it hands the
/// child reaches end of file, and that socket is not close-on-exec, so a process another thread starts at the same
/// moment inherits it; the first child's exit then goes unnoticed until the second one ends (measured: 1 of 300
/// short runs next to a thread starting long ones; a test run waited 40 minutes on a `waitUntilExit` because a
/// llama-server started meanwhile lived on). Here every descriptor this process makes for a child is close-on-exec,
/// the child closes all others but its three standard streams, and the exit is polled with `waitpid`.
///
/// The child runs in a process group of its own (as Foundation's did: signals to the group reach what it started),
/// with no signal blocked and the default action for the usual ones: Swift's threads block SIGTERM and SIGHUP and
/// ledgerchat ignores SIGPIPE, and a child would inherit both.
public final class SpawnedProcess: Sendable {
    public let processIdentifier: Int32
    /// The write end of the child's standard input, when it is `.pipe`.
    public let standardInput: FileHandle?
    /// The read end of the child's standard output, when it is `.pipe`.
    public let standardOutput: FileHandle?
    /// The read end of the child's standard error, when it is `.pipe`.
    public let standardError: FileHandle?
    /// Set once, by whoever reaps the child first; under the lock, so the pid is never waited for twice (a second
    /// `waitpid` could reap an unrelated child that was given the same pid).
    private let ended = Mutex<ChildExit?>(nil)
    /// The registry the child is stopped by at exit (`ChildProcesses.start`). It leaves it when reaped: its pid may
    /// belong to another process after that, which the registry's signals must not reach.
    private let registry: ChildProcesses?

    /// Starts `executable` (a path; `/usr/bin/env` finds a command on PATH) with `arguments`, the given environment
    /// (this process's when nil) and working directory.
    public convenience init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, directory: String? = nil,
        input: ChildStream = .null, output: ChildStream = .inherit, error: ChildStream = .inherit
    ) throws {
        try self.init(
            executable, arguments, environment: environment, directory: directory, input: input, output: output, error: error,
            registry: nil)
    }

    init(
        _ executable: String, _ arguments: [String], environment: [String: String]?, directory: String?,
        input: ChildStream, output: ChildStream, error: ChildStream, registry: ChildProcesses?
    ) throws {
        self.registry = registry
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Our ends of the pipes, and the child's ends, closed here once it has started.
        var ours: [Int32?] = [nil, nil, nil]
        var theirs: [Int32] = []
        func closeAll() {
            for descriptor in theirs + ours.compactMap({ $0 }) { close(descriptor) }
        }
        for (target, stream) in [(Int32(0), input), (1, output), (2, error)] {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .inherit:
                break
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard cspawn_pipe_cloexec(&ends) == 0 else {
                    let reason = String(cString: strerror(errno))
                    closeAll()
                    throw SpawnError(description: "cannot start \(executable): no pipe (\(reason))")
                }
                let (childEnd, ourEnd) = target == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
                ours[Int(target)] = ourEnd
                theirs.append(childEnd)
                posix_spawn_file_actions_adddup2(&actions, childEnd, target)
            case .file(let path):
                // Opened here rather than in the child, so that a folder missing or not writable is said as such.
                let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard file >= 0 else {
                    let reason = String(cString: strerror(errno))
                    closeAll()
                    throw SpawnError(description: "cannot start \(executable): cannot write its output to \(path) (\(reason))")
                }
                theirs.append(file)
                posix_spawn_file_actions_adddup2(&actions, file, target)
            case .descriptor(let descriptor):
                posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            case .sameAsOutput:
                posix_spawn_file_actions_adddup2(&actions, 1, target)
            }
        }
        cspawn_addclosefrom(&actions, 3)
        if let directory { cspawn_addchdir(&actions, directory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var nothing = sigset_t()
        sigemptyset(&nothing)
        posix_spawnattr_setsigmask(&attributes, &nothing)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result: Int32
        if let environment {
            var envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { envp.forEach { free($0) } }
            result = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        } else {
            result = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        }
        for descriptor in theirs { close(descriptor) }
        theirs = []
        guard result == 0 else {
            closeAll()
            let place = directory.map { " in \($0)" } ?? ""
            throw SpawnError(description: "cannot start \(executable)\(place): \(String(cString: strerror(result)))")
        }
        processIdentifier = pid
        registry?.add(pid)
        standardInput = ours[0].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardOutput = ours[1].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardError = ours[2].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
    }

    /// How the child ended, or nil while it runs. Reaps it the first time it is seen ended.
    public var exitStatus: ChildExit? {
        ended.withLock { ended in
            if ended == nil {
                var status: Int32 = 0
                var waited: pid_t
                repeat { waited = waitpid(processIdentifier, &status, WNOHANG) } while waited == -1 && errno == EINTR
                if waited == processIdentifier {
                    ended = ChildExit(waitStatus: status)
                } else if waited == -1 {
                    // Not our child any more (reaped elsewhere): it has ended, how is unknown.
                    ended = ChildExit(status: -1, signaled: false)
                }
                if ended != nil { registry?.remove(processIdentifier) }
            }
            return ended
        }
    }

    public var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` to the child, unless it has been reaped (its pid may belong to another process by then).
    public func send(_ signal: Int32) {
        ended.withLock { ended in
            if ended == nil { _ = kill(processIdentifier, signal) }
        }
    }

    /// Sends `signal` to the child's process group: the child and whatever it started. A group outlives its leader's
    /// reaping for as long as members remain, and its id is not given to a new process meanwhile.
    public func sendToGroup(_ signal: Int32) {
        _ = kill(-processIdentifier, signal)
    }

    public func terminate() { send(SIGTERM) }
    public func interrupt() { send(SIGINT) }

    /// Waits until the child has ended, at most `timeout` (for ever when nil), blocking this thread: for threads of
    /// their own, never Swift's cooperative pool. Nil if it still runs.
    @discardableResult
    public func waitUntilExit(timeout: Duration? = nil) -> ChildExit? {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var pause = 1_000
        while true {
            if let ended = exitStatus { return ended }
            if let deadline, ContinuousClock.now >= deadline { return nil }
            usleep(useconds_t(pause))
            pause = min(pause * 2, 20_000)
        }
    }

    /// Waits until the child has ended, at most `timeout` (for ever when nil), suspending instead of blocking.
    /// A cancelled task stops waiting at once.
    public func waitForExit(timeout: Duration? = nil) async -> ChildExit? {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var pause = 1
        while true {
            if let ended = exitStatus { return ended }
            if Task.isCancelled { return nil }
            if let deadline, ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(pause))
            pause = min(pause * 2, 20)
        }
    }

    /// Sends `signal` and waits up to `grace` for the end; a child still running then is killed (SIGKILL) and
    /// reaped. True when it ended within the grace period, false when it had to be killed.
    @discardableResult
    public func stop(with signal: Int32 = SIGTERM, grace: Duration) async -> Bool {
        send(signal)
        if await waitForExit(timeout: grace) != nil { return true }
        send(SIGKILL)
        _ = await waitForExit(timeout: .seconds(5))
        return false
    }
}
