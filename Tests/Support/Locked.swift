import Foundation

/// A value behind a lock, for state that test code shares with other threads and tasks (drained pipes, recorded
/// events, counters).
public final class Locked<Value>: @unchecked Sendable {
    // Safe: `value` is only touched inside `lock`.
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    public func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }

    /// A copy of the current value.
    public var current: Value { withLock { $0 } }
}
