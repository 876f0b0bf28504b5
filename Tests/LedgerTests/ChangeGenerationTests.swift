import Foundation
import TestSupport
import Testing

@testable import Ledger

/// `changeGeneration()` is what result caches trust, so a change it misses would serve stale data.
@Suite("Change generation")
struct ChangeGenerationTests {
    let anchor = LedgerDate(iso: "2026-11-25")!

    func temporaryLedger() throws -> String {
        scratchPath("generation") + "/ledger.sqlite"
    }

    @Test("stays the same while nothing changes")
    func stable() throws {
        let store = try LedgerStore(path: try temporaryLedger())
        try DemoLedger.generate(into: store, seed: 42, anchor: anchor)
        // The pool's reader connections are each new once; after that, reads alone change nothing.
        for _ in 0..<20 { _ = try store.changeGeneration() }
        let settled = try store.changeGeneration()
        for _ in 0..<50 { #expect(try store.changeGeneration() == settled) }
    }

    @Test("moves after a write through the same store")
    func ownWrite() throws {
        let store = try LedgerStore(path: try temporaryLedger())
        try DemoLedger.generate(into: store, seed: 42, anchor: anchor)
        for _ in 0..<20 { _ = try store.changeGeneration() }
        let before = try store.changeGeneration()
        _ = try store.createContact(NewContact(name: "Neu GmbH"), on: anchor)
        #expect(try store.changeGeneration() != before)
    }

    @Test("moves after a write by another connection to the same file")
    func otherConnection() throws {
        let path = try temporaryLedger()
        let reader = try LedgerStore(path: path)
        try DemoLedger.generate(into: reader, seed: 42, anchor: anchor)
        let writer = try LedgerStore(path: path)
        for _ in 0..<20 { _ = try reader.changeGeneration() }
        for round in 0..<5 {
            let before = try reader.changeGeneration()
            _ = try writer.createContact(NewContact(name: "Neu \(round) GmbH"), on: anchor)
            let after = try reader.changeGeneration()
            #expect(after != before, "round \(round)")
        }
    }
}
