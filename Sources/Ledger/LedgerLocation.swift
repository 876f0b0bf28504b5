import Foundation

/// Where ledgers live by default, and opening the default demo ledger on first use.
public enum LedgerLocation {
    /// `~/.local/share/ledgerchat/demo.sqlite`, honouring `$XDG_DATA_HOME`.
    public static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (base as NSString).appendingPathComponent("ledgerchat/demo.sqlite")
    }

    /// Opens the ledger at `path`; an empty or missing file is filled with the demo company first.
    /// `created` tells the caller to say so.
    public static func openOrCreateDemo(
        at path: String, seed: UInt64 = DemoLedger.defaultSeed, anchor: LedgerDate = .today()
    ) throws -> (store: LedgerStore, created: DemoLedger.Counts?) {
        let store = try LedgerStore(path: path)
        if try store.isInitialized() { return (store, nil) }
        let counts = try DemoLedger.generate(into: store, seed: seed, anchor: anchor)
        return (store, counts)
    }

    /// Writes a fresh demo ledger to `path`, replacing an existing file only when `force` is set.
    public static func initialize(
        at path: String, seed: UInt64, anchor: LedgerDate, force: Bool
    ) throws -> DemoLedger.Counts {
        let manager = FileManager.default
        if manager.fileExists(atPath: path) {
            guard force else {
                throw LedgerError.conflict("\(path) already exists. Pass --force to replace it, or choose another --path.")
            }
            for suffix in ["", "-wal", "-shm"] where manager.fileExists(atPath: path + suffix) {
                try manager.removeItem(atPath: path + suffix)
            }
        }
        let store = try LedgerStore(path: path)
        return try DemoLedger.generate(into: store, seed: seed, anchor: anchor)
    }
}
