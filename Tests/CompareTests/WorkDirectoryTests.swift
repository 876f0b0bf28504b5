import Foundation
import Processes
import TestSupport
import Testing

@testable import Compare

@Suite("Ledger copies of a comparison")
struct WorkDirectoryTests {
    @Test("the folders of a comparison that was killed are removed by the next one; a running one's are not")
    func abandonedFoldersAreRemoved() async throws {
        let temporary = try scratchDirectory("compare-temp")
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        // A process that has ended: its pid names an abandoned folder.
        let ended = try SpawnedProcess("/bin/true")
        #expect(await ended.waitForExit(timeout: .seconds(60)) != nil)
        let endedPID = ended.processIdentifier
        let prefix = CompareRunner.workPrefix
        let folders = [
            "\(prefix)\(endedPID)-dead0001", "\(prefix)\(getpid())-mine0001", "\(prefix)1-init0001",
            "\(prefix)5A3C19F0", "something-else",
        ]
        for folder in folders {
            try FileManager.default.createDirectory(atPath: temporary + "/" + folder, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: temporary + "/" + folder + "/template.sqlite"))
        }
        CompareRunner.removeAbandonedWorkDirectories(in: temporary)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: temporary))
        #expect(left == Set(folders.dropFirst()), "only the ended process's folder goes: \(left.sorted())")
    }
}
