import Foundation

/// Lays out a cache folder as `make local-model` leaves it, for tests of finding and starting the offline model:
/// `serverDirectory/llama-server` (the shell script `server`), `serverDirectory/cpu-flags` when given, and
/// `modelDirectory/model.gguf` (a stand-in: nothing here loads it). The folder names are the caller's, from
/// `LocalModelFiles`, which this target cannot import.
public func layLocalModelCache(
    at cache: String, serverDirectory: String, modelDirectory: String, server: String = "#!/bin/sh\n", cpuFlags: String?
) throws {
    let serverPath = "\(cache)/\(serverDirectory)"
    try FileManager.default.createDirectory(atPath: serverPath, withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: serverPath + "/llama-server", contents: Data(server.utf8), attributes: [.posixPermissions: 0o755])
    else { throw CocoaError(.fileWriteUnknown) }
    if let cpuFlags { try (cpuFlags + "\n").write(toFile: serverPath + "/cpu-flags", atomically: true, encoding: .utf8) }
    try FileManager.default.createDirectory(atPath: "\(cache)/\(modelDirectory)", withIntermediateDirectories: true)
    try Data("GGUF".utf8).write(to: URL(fileURLWithPath: "\(cache)/\(modelDirectory)/model.gguf"))
}
