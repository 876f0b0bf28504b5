import Foundation

/// Runs work that blocks — waiting for a child process, reading its pipes to the end — on a thread of its own and
/// awaits its result.
///
/// Swift Testing runs every test on the cooperative pool, which has one thread per core: two on a two-core machine.
/// A test that blocks one of them for seconds (a `ledgerchat ask` child, a Python peer importing its packages)
/// starves the other tests' tasks down to their timers, and on a busy machine their timeouts then fire for no fault
/// of theirs. So test helpers never block in the caller's task; they wait here.
///
/// GCD's global queues are no better a place: on Linux their pool also starts at one thread per core and grows by one
/// a second only while none of its threads is runnable (to twice the cores while one is). With three of its threads
/// blocked reading pipes and one busy, new work on a global queue did not start within 30 s here. That is the likely
/// reason a 0.1 s `ledgerchat tools call` once "did not finish within 120 s" in CI: its pipe readers were queued
/// there. (Commands run to their end go through `CollectedRun`, which reads on threads of its own.)
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
