import Foundation
import TestSupport
import Testing

@testable import Config

@Suite("Configuration")
struct ConfigTests {
    let directory: String = try! scratchDirectory("config")

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

    @Test("models: provider, key from the environment, prices, headers; default_model must exist")
    func models() throws {
        let path = write(
            """
            default_model = "gpt"
            [models.gpt]
            provider = "openai"
            base_url = "https://api.openai.com/v1"
            model = "gpt-4.1-mini"
            api_key = "${OPENAI_API_KEY}"
            temperature = 0
            input_price_per_million = 0.4
            output_price_per_million = 1.6
            headers = { "X-Team" = "books" }
            answer_slot = true
            [models.claude]
            provider = "anthropic"
            model = "claude-sonnet"
            [agent]
            max_rounds = 5
            """, name: "models.toml")
        let config = try LedgerchatConfig.load(option: path, environment: ["OPENAI_API_KEY": "sk-1"])
        #expect(config.defaultModel == "gpt")
        let gpt = try #require(config.models["gpt"])
        #expect(gpt.apiKey == "sk-1" && gpt.temperature == 0 && gpt.inputPricePerMillion == 0.4 && gpt.headers == ["X-Team": "books"])
        #expect(gpt.answerSlot == true && config.models["claude"]?.answerSlot == nil)
        #expect(config.models["claude"]?.provider == "anthropic")
        #expect(config.agent.maxRounds == 5)
        let missing = write("default_model = \"nope\"\n[models.a]\nprovider = \"openai\"\nmodel = \"m\"\n", name: "missing.toml")
        let error = try #require(throws: ConfigError.self) { try LedgerchatConfig.load(option: missing, environment: [:]) }
        #expect(error.key == "default_model" && error.description.contains("known models: a"))
        let incomplete = write("[models.a]\nprovider = \"openai\"\n", name: "incomplete.toml")
        #expect(throws: ConfigError.self) { try LedgerchatConfig.load(option: incomplete, environment: [:]) }
        let badTemperature = write("[models.a]\nprovider = \"openai\"\nmodel = \"m\"\ntemperature = \"hot\"\n", name: "hot.toml")
        let typeError = try #require(throws: ConfigError.self) { try LedgerchatConfig.load(option: badTemperature, environment: [:]) }
        #expect(typeError.key == "models.a.temperature" && typeError.description.contains("expected a number from 0.0 to 2.0"))
    }

    @Test("broken TOML says where")
    func syntax() throws {
        let path = write("[serve\nport = 1\n", name: "broken.toml")
        let error = try #require(throws: ConfigError.self) { try LedgerchatConfig.load(option: path, environment: [:]) }
        #expect(error.description.contains("line 1"), "\(error)")
    }

    @Test("config.example.toml parses and documents every key")
    func example() throws {
        let examplePath = packageRootURL.appendingPathComponent("config.example.toml").path
        let text = try String(contentsOfFile: examplePath, encoding: .utf8)
        // Every key appears, commented out or not, under its table.
        func documents(_ key: String) -> Bool { text.range(of: "(?m)^#? ?\(key) = ", options: .regularExpression) != nil }
        for (name, type) in LedgerchatConfig.schema {
            switch type {
            case .table(let keys):
                #expect(text.contains("[\(name)]"), "config.example.toml lacks [\(name)]")
                for key in keys.keys { #expect(documents(key), "config.example.toml lacks \(name).\(key)") }
            case .namedTables(.table(let keys)):
                #expect(text.contains("[\(name)."), "config.example.toml lacks an example [\(name).NAME]")
                for key in keys.keys { #expect(documents(key), "config.example.toml lacks \(name).NAME.\(key)") }
            default:
                #expect(documents(name), "config.example.toml lacks \(name)")
            }
        }
        // Uncommented, the example is a valid configuration.
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            line.hasPrefix("# ") && (line.contains(" = ") || line.hasPrefix("# [")) ? line.dropFirst(2) : line
        }.joined(separator: "\n")
        _ = try LedgerchatConfig.parse(uncommented, file: examplePath, environment: ["HOME": "/home/me", "LEDGERCHAT_TOKEN": "x"])
    }
}
