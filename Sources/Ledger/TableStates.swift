import GRDB

/// A table's row count and a checksum of its contents: two states are equal only when nothing in the table changed.
public struct TableState: Sendable, Codable, Equatable {
    public var rows: Int
    public var checksum: String

    public init(rows: Int, checksum: String) {
        self.rows = rows
        self.checksum = checksum
    }
}

extension LedgerStore {
    /// The ledger's tables by their plural names, as scenario files and reports call them.
    public static let tableNames: [(name: String, table: String)] = [
        ("company", "company"), ("contacts", "contact"), ("invoices", "invoice"), ("invoice_lines", "invoice_line"),
        ("vouchers", "voucher"), ("voucher_lines", "voucher_line"), ("bank_accounts", "bank_account"),
        ("bank_transactions", "bank_transaction"), ("payments", "payment"),
    ]

    /// Every table's row count and content checksum (FNV-1a over each row's values in rowid order), to tell what a
    /// run changed.
    public func tableStates() throws -> [String: TableState] {
        try read { db in
            var states: [String: TableState] = [:]
            for (name, table) in Self.tableNames {
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                var rows = 0
                let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM \(table) ORDER BY rowid")
                while let row = try cursor.next() {
                    rows += 1
                    for value in row.databaseValues {
                        for byte in (value.description + "\u{1F}").utf8 {
                            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                        }
                    }
                    hash = (hash ^ 0x1E) &* 0x0000_0100_0000_01b3
                }
                states[name] = TableState(rows: rows, checksum: String(hash, radix: 16))
            }
            return states
        }
    }
}
