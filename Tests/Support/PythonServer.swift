import Foundation
import Processes
import Glibc

/// A Python test server from `Tests/Support/` (standard library only), on a loopback port, for as long as the test
/// process lives.
///
/// The listening socket is made here and handed to Python as its stdin (see `loopback_serving.py`), so starting one
/// returns at once: requests made before the interpreter is up wait in the socket's backlog. Waiting for the server
/// to report a port instead blocked the caller, a thread of Swift's two-thread cooperative pool (the servers start
/// inside tests and suites' globals); with a busy machine that took seconds, and other tests' awaits stalled for 10 s
/// and more behind it.
public final class PythonServer: Sendable {
    public let port: Int
    private let process: SpawnedProcess

    /// Starts `script` (a path relative to `Tests/Support/`) with `arguments`.
    public init(script: String, arguments: [String] = []) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(script).path
        let (socket, port) = try listeningLoopbackSocket()
        // The child gets its own copy; ours would keep the port open after the child is gone.
        defer { close(socket) }
        let process: SpawnedProcess
        do { process = try SpawnedProcess("/usr/bin/env", ["python3", path] + arguments, input: .descriptor(socket), output: .null) } catch {
            throw PythonServerError(description: "cannot start \(script) (is python3 installed?): \(error)")
        }
        self.process = process
        self.port = port
    }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
}

/// A TCP socket listening on a free loopback port; close-on-exec, so only the child it is handed to inherits it.
private func listeningLoopbackSocket() throws -> (socket: Int32, port: Int) {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard socket >= 0 else { throw PythonServerError(description: "cannot make a socket: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
            Glibc.bind(socket, generic, length) == 0 && listen(socket, 128) == 0 && getsockname(socket, generic, &length) == 0
        }
    }
    guard bound else {
        let reason = errno
        close(socket)
        throw PythonServerError(description: "cannot listen on a loopback port: errno \(reason)")
    }
    return (socket, Int(UInt16(bigEndian: address.sin_port)))
}

/// Starts a server that prints its port on stdout's first line and exits when its stdin closes; returns it (its
/// stdin pipe, held by the `SpawnedProcess`, keeps it alive) and the port.
func startReportingPort(_ executable: String, _ arguments: [String], environment: [String: String], what: String) throws
    -> (process: SpawnedProcess, port: Int)
{
    let process = try SpawnedProcess(executable, arguments, environment: environment, input: .pipe, output: .pipe, error: .null)
    let output = process.standardOutput!
    var line = Data()
    while let byte = try output.read(upToCount: 1), !byte.isEmpty, byte != Data([0x0A]) { line.append(byte) }
    guard let port = Int(String(decoding: line, as: UTF8.self)) else {
        process.terminate()
        throw PythonServerError(description: "\(what) did not start")
    }
    return (process, port)
}

public struct PythonServerError: Error, CustomStringConvertible {
    public var description: String
}
