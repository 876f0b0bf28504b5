import Foundation
import GRDB
import Testing

@testable import Ledger

/// `compare` decides "the ledger is unchanged" from these states, so an edit they miss would let a stray write pass.
@Suite("Table states")
struct TableStatesTests {
    @Test("equal for equal ledgers; a new row and an edited value are both seen, in their own table only")
    func states() throws {
        let anchor = LedgerDate(iso: "2026-11-25")!
        let first = try LedgerStore(inMemory: ())
        let second = try LedgerStore(inMemory: ())
        try DemoLedger.generate(into: first, seed: 42, anchor: anchor)
        try DemoLedger.generate(into: second, seed: 42, anchor: anchor)
        let original = try first.tableStates()
        #expect(original == (try second.tableStates()))
        #expect(Set(original.keys) == Set(LedgerStore.tableNames.map(\.name)))
        #expect(original["invoices"]?.rows == 120 && original["contacts"]?.rows == 36)

        _ = try first.createContact(NewContact(name: "Neu GmbH"), on: anchor)
        let added = try first.tableStates()
        #expect(added["contacts"]?.rows == 37 && added["contacts"]?.checksum != original["contacts"]?.checksum)
        #expect(added.filter { $0.key != "contacts" } == original.filter { $0.key != "contacts" })

        try second.database.write { db in try db.execute(sql: "UPDATE invoice SET status = CASE WHEN status = 'paid' THEN 'open' ELSE 'paid' END WHERE id = (SELECT MIN(id) FROM invoice)") }
        let edited = try second.tableStates()
        #expect(edited["invoices"]?.rows == 120 && edited["invoices"]?.checksum != original["invoices"]?.checksum)
    }
}
