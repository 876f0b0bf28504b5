// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ledgerchat",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ledgerchat", targets: ["ledgerchat"])
    ],
    dependencies: [
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // System-library shims: variadic C functions and macros Swift cannot call directly.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CNcursesw",
            providers: [.apt(["libncurses-dev"])]),

        .target(name: "Curl", dependencies: ["CCurl"]),
        .target(
            name: "MCPClient",
            dependencies: [
                "Curl", "Config", "AccountingServer", "Ledger", "Processes", .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // glibc's spawning extensions (close-on-exec pipes, closefrom, chdir), which Swift's Glibc module hides.
        .target(name: "CSpawn"),
        // Processes ledgerchat starts and must stop: stdio MCP servers and the local model.
        .target(name: "Processes", dependencies: ["CSpawn"]),
        .target(name: "LLM", dependencies: ["Curl", "Processes", "Config", .product(name: "MCP", package: "swift-sdk")]),
        // Agent reuses AccountingServer's secret redaction for traces (it already depends on it through MCPClient).
        .target(name: "Agent", dependencies: ["LLM", "MCPClient", "AccountingServer", "Ledger", "Config", .product(name: "MCP", package: "swift-sdk")]),
        // Money is written the way the ledger writes it (Ledger.Money), in one place.
        .target(name: "Render", dependencies: ["Ledger", .product(name: "MCP", package: "swift-sdk")]),
        // The chat screen: state, keys and a pure render into cells (tested without a terminal); ncurses only paints.
        .target(name: "TUI", dependencies: ["Render", "Agent", "LLM", "Config", "CNcursesw", .product(name: "MCP", package: "swift-sdk")]),
        // Scenarios, the runner on fresh demo-ledger copies, scripted models, and pure scoring and reports.
        .target(
            name: "Compare",
            dependencies: [
                "Agent", "LLM", "MCPClient", "AccountingServer", "Ledger", "Render", .product(name: "MCP", package: "swift-sdk"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]),
        .target(
            name: "Config",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),
        .target(
            name: "Ledger",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "AccountingServer",
            dependencies: [
                "Ledger",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "ledgerchat",
            dependencies: [
                "Config", "Ledger", "AccountingServer", "Curl", "LLM", "MCPClient", "Agent", "Render", "Processes", "TUI", "Compare",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Helpers shared by test targets: the loopback servers the tests talk to, scratch paths, waiting off the pool.
        .target(name: "TestSupport", dependencies: ["Curl", "Processes"], path: "Tests/Support", exclude: ["loopback_server.py", "loopback_serving.py", "scripted_llm.py"]),
        .testTarget(name: "ProcessesTests", dependencies: ["Processes", "TestSupport"]),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CCurl", "CNcursesw"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "TestSupport"]),
        .testTarget(name: "CurlTests", dependencies: ["Curl", "Processes", "TestSupport"]),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent", "LLM", "MCPClient", "AccountingServer", "Ledger", "Curl", "TestSupport",
                .product(name: "MCP", package: "swift-sdk"),
            ]),
        .testTarget(
            name: "MCPClientTests",
            dependencies: [
                "MCPClient", "Agent", "AccountingServer", "Ledger", "Config", "Curl", "Processes", "TestSupport",
                .product(name: "MCP", package: "swift-sdk"),
            ]),
        // The real offline model; needs `make local-model` (make test and .ci/run do it first).
        .testTarget(
            name: "LocalModelTests",
            dependencies: ["Agent", "LLM", "MCPClient", "AccountingServer", "Ledger", "Curl", "TestSupport", .product(name: "MCP", package: "swift-sdk")]),
        .testTarget(
            name: "CompareTests",
            dependencies: ["Compare", "Agent", "LLM", "Ledger", "AccountingServer", "Processes", "TestSupport", .product(name: "MCP", package: "swift-sdk")]),
        .testTarget(name: "RenderTests", dependencies: ["Render", .product(name: "MCP", package: "swift-sdk")]),
        // Pure state and screen tests, and end-to-end tests driving the binary in tmux with a scripted LLM.
        .testTarget(
            name: "TUITests",
            dependencies: ["TUI", "Render", "Agent", "LLM", "Ledger", "Processes", "TestSupport", .product(name: "MCP", package: "swift-sdk")]),
        .testTarget(
            name: "LLMTests", dependencies: ["LLM", "Curl", "TestSupport", .product(name: "MCP", package: "swift-sdk")],
            exclude: ["Fixtures"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "AccountingServerTests",
            dependencies: [
                "AccountingServer", "Ledger", "LLM", "Processes", "TestSupport",
                .product(name: "MCP", package: "swift-sdk"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
