import Foundation
import GRDB
import Synchronization

/// Why the ledger could not do what was asked, in words a user can act on.
public enum LedgerError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case notFound(String)
    case invalid(String)
    case conflict(String)
    case storage(String)

    public var description: String {
        switch self {
        case .notFound(let text), .invalid(let text), .conflict(let text), .storage(let text): return text
        }
    }

    public var errorDescription: String? { description }
}

/// The accounting ledger in one SQLite file: opened in WAL mode, schema kept current by migrations,
/// every write in one transaction. Safe to share between tasks.
public final class LedgerStore: Sendable {
    /// The SQLite file, or nil for an in-memory ledger.
    public let path: String?
    let database: any DatabaseWriter
    private let changes = Mutex(ChangeTracking())

    /// Opens (creating if needed) the ledger at `path` and migrates it to the current schema.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try Schema.migrator.migrate(pool)
            self.database = pool
        } catch let error as DatabaseError {
            throw LedgerError.storage(
                "Cannot open the ledger at \(path): \(error.message ?? "\(error)"). "
                    + "Check the path, or create a fresh one with `ledgerchat ledger init --path \(path) --force`.")
        }
        self.path = path
    }

    /// An empty ledger held in memory, for tests and throw-away work.
    public init(inMemory: Void = ()) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        let queue = try DatabaseQueue(configuration: configuration)
        try Schema.migrator.migrate(queue)
        self.database = queue
        self.path = nil
    }

    /// True when the company row exists, i.e. the ledger has been filled.
    public func isInitialized() throws -> Bool {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM company") ?? 0 > 0 }
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        do { return try database.read(body) } catch let error as LedgerError { throw error } catch {
            throw LedgerError.storage("Reading the ledger failed: \(error)")
        }
    }

    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws -> T {
        defer { changes.withLock { $0.generation &+= 1 } }
        do { return try database.write(body) } catch let error as LedgerError { throw error } catch {
            throw LedgerError.storage("Writing to the ledger failed: \(error)")
        }
    }

    /// What `changeGeneration()` remembers between calls.
    private struct ChangeTracking {
        /// A connection's last `PRAGMA data_version`; weak, so a new connection reusing a freed address is new.
        struct Seen {
            var connection: ConnectionIdentity
            var version: Int
        }
        var generation = 0
        var lastSeen: [ObjectIdentifier: Seen] = [:]
    }

    /// A number that differs from every earlier answer whenever the ledger may have changed since, through this
    /// store or through any other connection or process. Anything computed from the ledger after this call
    /// returns may be cached under the number, and is current for as long as the number is.
    ///
    /// Writes through this store count themselves (after they commit). Other connections' commits show up in
    /// SQLite's `data_version`, which changes for a connection when anyone else committed since its last look;
    /// a connection seen for the first time counts as a change, so no commit slips between two readers.
    public func changeGeneration() throws -> Int {
        try read { db in
            // The pragma reflects the read snapshot only once the transaction has read a page.
            _ = try Int.fetchOne(db, sql: "SELECT 1 FROM company LIMIT 1")
            let version = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
            return changes.withLock { state in
                let key = ObjectIdentifier(db)
                if let seen = state.lastSeen[key], seen.connection.connection === db, seen.version == version { return state.generation }
                state.lastSeen[key] = ChangeTracking.Seen(connection: ConnectionIdentity(db), version: version)
                state.generation &+= 1
                return state.generation
            }
        }
    }
}

/// A weak reference to a connection, used only to tell whether a connection is still the one seen before.
///
/// `@unchecked Sendable` is safe: the reference is never used to reach the connection, only compared with `===`,
/// and loading a weak reference is atomic in the Swift runtime.
private final class ConnectionIdentity: @unchecked Sendable {
    weak var connection: Database?
    init(_ connection: Database) { self.connection = connection }
}

/// A page of results and where it sits in the whole.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
    public var offset: Int
    public var limit: Int
    public var hasMore: Bool { offset + items.count < total }

    public init(items: [Item], total: Int, offset: Int, limit: Int) {
        self.items = items
        self.total = total
        self.offset = offset
        self.limit = limit
    }
}

/// Ascending or descending.
public enum SortOrder: String, Sendable, CaseIterable {
    case asc, desc
}

/// Builds a WHERE clause from optional conditions without string-gluing user input.
struct SQLFilter {
    private(set) var conditions: [String] = []
    private(set) var arguments: StatementArguments = []

    mutating func add(_ condition: String, _ values: (any DatabaseValueConvertible)?...) {
        add(condition, values: values)
    }

    mutating func add(_ condition: String, values: [(any DatabaseValueConvertible)?]) {
        conditions.append(condition)
        for value in values { arguments += [value] }
    }

    /// `column IN (?, ?, …)` for a non-empty list of raw values.
    mutating func add(_ column: String, in values: [String]) {
        add("\(column) IN (\(values.map { _ in "?" }.joined(separator: ",")))", values: values)
    }

    /// A due-date range on `prefix`'s `due_date`: unpaid documents only (open or partially paid, as "overdue" counts
    /// them) unless the query names statuses of its own (`unpaidOnly` false). Nothing without a bound.
    mutating func addDueRange(from: LedgerDate?, to: LedgerDate?, prefix: String = "", unpaidOnly: Bool) {
        guard from != nil || to != nil else { return }
        if unpaidOnly { add("\(prefix)status IN ('open','partially_paid')") }
        if let from { add("\(prefix)due_date >= ?", from.iso) }
        if let to { add("\(prefix)due_date <= ?", to.iso) }
    }

    var clause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }
}

extension Row {
    func date(_ column: String) -> LedgerDate {
        let text: String = self[column]
        return LedgerDate(iso: text) ?? LedgerDate(dayNumber: 0)
    }

    func optionalDate(_ column: String) -> LedgerDate? {
        (self[column] as String?).flatMap(LedgerDate.init(iso:))
    }
}

/// Escapes `%` and `_` so a user's search text matches literally inside LIKE.
func likePattern(_ text: String) -> String {
    let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
        .replacingOccurrences(of: "%", with: "\\%")
        .replacingOccurrences(of: "_", with: "\\_")
    return "%\(escaped)%"
}
