import Foundation

/// A fresh path for a test's files: `<temporary folder>/ledgerchat-tests-<pid>/<name>-<random>`. Nothing is created
/// at that path (some tests need one that does not exist yet); its parent folder is.
///
/// Every path lies in one folder per test process, which is removed with everything in it when the process exits,
/// so a test run leaves nothing in /tmp however its tests end (a failed `#expect` skips a test's own clean-up, and
/// some files, like a TUI session's ledger, are still in use until the process ends). `make test` also points
/// `TMPDIR` at a folder of its own that it removes, for a run that is killed before it can exit.
public func scratchPath(_ name: String) -> String {
    scratchRoot + "/\(name)-\(UUID().uuidString.prefix(8))"
}

/// A fresh, empty folder from `scratchPath(_:)`.
public func scratchDirectory(_ name: String) throws -> String {
    let path = scratchPath(name)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Created on first use; its removal is registered with `atexit`, whose C callback cannot capture context, hence a
/// global.
private let scratchRoot: String = {
    let root = NSTemporaryDirectory() + "ledgerchat-tests-\(getpid())"
    try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: scratchRoot) }
    return root
}()
