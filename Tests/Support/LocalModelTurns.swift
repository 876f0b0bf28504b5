import Testing

/// The offline model is one llama-server on the machine's cores. Tests that use it, in any test target of the run,
/// take turns: run side by side they load a second server (or evict each other's cached prompts) and each waits minutes
/// behind the other.
public actor LocalModelTurns {
    public static let shared = LocalModelTurns()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}

/// The trait that runs each test of a suite (or one test) in its turn with the offline model.
public struct LocalModelTurn: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // A suite's trait is asked to scope the suite as well as each of its tests: only the tests take a turn.
        guard !test.isSuite else { return try await function() }
        await LocalModelTurns.shared.acquire()
        do {
            try await function()
        } catch {
            await LocalModelTurns.shared.release()
            throw error
        }
        await LocalModelTurns.shared.release()
    }
}

extension Trait where Self == LocalModelTurn {
    /// Take turns with every other test that uses the offline model.
    public static var localModelTurn: Self { LocalModelTurn() }
}
