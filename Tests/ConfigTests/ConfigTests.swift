import Foundation
import Testing

@testable import Config

@Suite("Configuration")
struct ConfigTests {
    let directory: String = {
        let path = NSTemporaryDirectory() + "ledgerchat-config-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    func write(_ text: String, name: String = "config.toml") -> String {
        let path = directory + "/" + name
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a missing default file means defaults")
    func missingDefault() throws {
        let config = try LedgerchatConfig.load(option: nil, environment: ["XDG_CONFIG_HOME": directory + "/nothing"])
        #expect(config == LedgerchatConfig())
    }

    @Test("a missing file the user named is an error naming it")
    func missingExplicit() {
        #expect(throws: ConfigError.self) { try LedgerchatConfig.load(option: directory + "/absent.toml", environment: [:]) }
        let error = try? #require(throws: ConfigError.self) {
            try LedgerchatConfig.load(option: nil, environment: ["LEDGERCHAT_CONFIG": directory + "/absent.toml"])
        }
        #expect(error?.description.contains("absent.toml") == true)
    }

    @Test("--config wins over $LEDGERCHAT_CONFIG, which wins over XDG")
    func precedence() throws {
        let option = write("[serve]\nport = 1111\n", name: "option.toml")
        let variable = write("[serve]\nport = 2222\n", name: "variable.toml")
        try FileManager.default.createDirectory(atPath: directory + "/xdg/ledgerchat", withIntermediateDirectories: true)
        _ = write("[serve]\nport = 3333\n", name: "xdg/ledgerchat/config.toml")
        let environment = ["LEDGERCHAT_CONFIG": variable, "XDG_CONFIG_HOME": directory + "/xdg"]
        #expect(try LedgerchatConfig.load(option: option, environment: environment).serve.port == 1111)
        #expect(try LedgerchatConfig.load(option: nil, environment: environment).serve.port == 2222)
        #expect(try LedgerchatConfig.load(option: nil, environment: ["XDG_CONFIG_HOME": directory + "/xdg"]).serve.port == 3333)
    }

    @Test("values are read, ${VAR} is expanded, unset variables are recorded")
    func values() throws {
        let path = write(
            """
            [ledger]
            path = "${DATA}/books.sqlite"
            seed = 7
            anchor_date = "2026-01-31"

            [serve]
            toolset = "poc"
            read_only = true
            port = 9000
            allowed_hosts = ["ledger.${DOMAIN}", "${MISSING}x"]
            """)
        let config = try LedgerchatConfig.load(option: path, environment: ["DATA": "/srv", "DOMAIN": "example.com"])
        #expect(config.ledgerPath == "/srv/books.sqlite")
        #expect(config.demoSeed == 7)
        #expect(config.demoAnchorDate == "2026-01-31")
        #expect(config.serve.toolset == "poc")
        #expect(config.serve.readOnly == true)
        #expect(config.serve.port == 9000)
        #expect(config.serve.allowedHosts == ["ledger.example.com", "x"])
        #expect(config.unsetVariables == ["serve.allowed_hosts": ["MISSING"]])
        #expect(config.sourcePath == path)
    }

    @Test(
        "unknown keys and wrong types name the file, the key and the expected type",
        arguments: [
            ("[serve]\nprot = 1\n", "serve.prot", "unknown key"),
            ("colour = true\n", "colour", "unknown key"),
            ("[serve]\nport = \"80\"\n", "serve.port", "expected an integer from 0 to 65535, got a string"),
            ("[serve]\nport = 70000\n", "serve.port", "expected an integer from 0 to 65535"),
            ("[serve]\nread_only = 1\n", "serve.read_only", "expected true or false"),
            ("[serve]\ntoolset = \"mini\"\n", "serve.toolset", "expected one of \"full\", \"poc\""),
            ("[serve]\nallowed_hosts = [1]\n", "serve.allowed_hosts", "expected a list of strings"),
            ("serve = 3\n", "serve", "expected a table"),
            ("[ledger]\nanchor_date = \"31.01.2026\"\n", "ledger.anchor_date", "YYYY-MM-DD"),
        ])
    func invalid(text: String, key: String, message: String) throws {
        let path = write(text, name: "bad-\(abs(text.hashValue)).toml")
        let error = try #require(throws: ConfigError.self) { try LedgerchatConfig.load(option: path, environment: [:]) }
        #expect(error.file == path)
        #expect(error.key == key)
        #expect(error.description.contains(message), "\(error)")
    }

    @Test("broken TOML says where")
    func syntax() throws {
        let path = write("[serve\nport = 1\n", name: "broken.toml")
        let error = try #require(throws: ConfigError.self) { try LedgerchatConfig.load(option: path, environment: [:]) }
        #expect(error.description.contains("line 1"), "\(error)")
    }

    @Test("config.example.toml parses and documents every key")
    func example() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let examplePath = root.appendingPathComponent("config.example.toml").path
        let text = try String(contentsOfFile: examplePath, encoding: .utf8)
        // Every key appears, commented out or not, under its table.
        for (table, type) in LedgerchatConfig.schema {
            #expect(text.contains("[\(table)]"), "config.example.toml lacks [\(table)]")
            guard case .table(let keys) = type else { continue }
            for key in keys.keys {
                #expect(text.range(of: "(?m)^#? ?\(key) = ", options: .regularExpression) != nil, "config.example.toml lacks \(table).\(key)")
            }
        }
        // Uncommented, the example is a valid configuration.
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            line.hasPrefix("# ") && line.contains(" = ") ? line.dropFirst(2) : line
        }.joined(separator: "\n")
        _ = try LedgerchatConfig.parse(uncommented, file: examplePath, environment: ["HOME": "/home/me", "LEDGERCHAT_TOKEN": "x"])
    }
}
