import Foundation

/// Runs work that blocks — waiting for a child process, reading its pipes to the end — on a thread of its own and
/// awaits its result.
///
/// Swift Testing runs every test on the cooperative pool, which has one thread per core: two on a two-core machine.
/// A test that blocks one of them for seconds (a `ledgerchat ask` child, a Python peer importing its packages)
/// starves the other tests' tasks down to their timers, and on a busy machine their timeouts then fire for no fault
/// of theirs. So test helpers never block in the caller's task; they wait here.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
