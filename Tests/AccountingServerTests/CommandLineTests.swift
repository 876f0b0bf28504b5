import Foundation
import TestSupport
import Testing

/// The `ledgerchat` binary as a user runs it.
@Suite("Command line", .serialized)
struct CommandLineTests {
    func environment(dataHome: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_DATA_HOME"] = dataHome
        environment["XDG_CONFIG_HOME"] = dataHome + "/config"
        environment.removeValue(forKey: "LEDGERCHAT_CONFIG")
        return environment
    }

    @Test("the default demo ledger is created on first use, then reused")
    func firstUse() async throws {
        let home = scratchPath("home")
        let first = try await run(try ledgerchatBinary(), [], environment: environment(dataHome: home))
        #expect(first.status == 0)
        #expect(first.stderr.contains("Created the demo ledger at \(home)/ledgerchat/demo.sqlite"))
        #expect(first.stdout.contains("Muster Digital GmbH"))
        #expect(first.stdout.contains("ledgerchat serve --stdio"))
        let second = try await run(try ledgerchatBinary(), ["overview"], environment: environment(dataHome: home))
        #expect(second.status == 0 && !second.stderr.contains("Created"))
    }

    @Test("ledger init writes a pinned ledger, refuses to overwrite without --force, and check confirms it")
    func initAndCheck() async throws {
        let path = scratchPath("init") + "/books.sqlite"
        let created = try await run(try ledgerchatBinary(), ["ledger", "init", "--path", path, "--anchor-date", "2026-11-25", "--seed", "42"])
        #expect(created.status == 0)
        #expect(created.stdout.contains("36 contacts, 120 invoices, 246 vouchers"))
        let again = try await run(try ledgerchatBinary(), ["ledger", "init", "--path", path])
        #expect(again.status != 0 && again.stderr.contains("Pass --force to replace it"))
        let forced = try await run(try ledgerchatBinary(), ["ledger", "init", "--path", path, "--force", "--anchor-date", "2026-11-25"])
        #expect(forced.status == 0)
        let check = try await run(try ledgerchatBinary(), ["ledger", "check", "--ledger", path])
        #expect(check.status == 0 && check.stdout.contains("The ledger is consistent"))
        let badDate = try await run(try ledgerchatBinary(), ["ledger", "init", "--path", path + "2", "--anchor-date", "25.11.2026"])
        #expect(badDate.status != 0 && badDate.stderr.contains("YYYY-MM-DD"))
    }

    @Test("a broken config file stops the command with the file, the key and the expected type")
    func badConfig() async throws {
        let directory = try scratchDirectory("config")
        try "[serve]\nport = \"eighty\"\n".write(toFile: directory + "/config.toml", atomically: true, encoding: .utf8)
        let result = try await run(try ledgerchatBinary(), ["serve", "--http", "--config", directory + "/config.toml"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(directory)/config.toml: serve.port: expected an integer from 0 to 65535"))
    }

    @Test("serve needs exactly one transport")
    func transportChoice() async throws {
        let result = try await run(try ledgerchatBinary(), ["serve"])
        #expect(result.status != 0 && result.stderr.contains("--stdio") && result.stderr.contains("--http"))
    }
}
