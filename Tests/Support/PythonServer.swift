import Foundation

/// A Python test server from `Tests/Support/` (standard library only), running on a free loopback port for as long
/// as the test process lives: it exits when its stdin, held open here, closes.
public final class PythonServer: Sendable {
    public let port: Int
    private let process: Process
    private let lifeline: Pipe

    /// Starts `Tests/Support/<script>` with `arguments` and waits for it to print its port. The scripts use only the
    /// standard library and are up in tens of milliseconds, so this waits in place (and can start a suite's global).
    public init(script: String, arguments: [String] = []) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(script).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path] + arguments
        let (port, lifeline) = try startReportingPort(process, what: "\(script) (is python3 installed?)")
        self.process = process
        self.lifeline = lifeline
        self.port = port
    }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
}

/// Starts a server that prints its port on stdout's first line and exits when its stdin closes; returns the port
/// and the stdin pipe that keeps it alive.
func startReportingPort(_ process: Process, what: String) throws -> (port: Int, lifeline: Pipe) {
    let output = Pipe()
    let lifeline = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = lifeline
    try process.run()
    var line = Data()
    while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data([0x0A]) { line.append(byte) }
    guard let port = Int(String(decoding: line, as: UTF8.self)) else {
        process.terminate()
        throw PythonServerError(description: "\(what) did not start")
    }
    return (port, lifeline)
}

public struct PythonServerError: Error, CustomStringConvertible {
    public var description: String
}
