import Foundation
import TestSupport
import Testing

@testable import Processes

@Suite("Spawned processes")
struct SpawnedProcessTests {
    @Test("exit status, a signal, stdin to stdout through pipes, environment and working directory")
    func basics() async throws {
        #expect(try await SpawnedProcess("/bin/sh", ["-c", "exit 3"]).waitForExit(timeout: .seconds(60)) == ChildExit(status: 3, signaled: false))
        let killed = try SpawnedProcess("/bin/sh", ["-c", "kill -USR1 $$"])
        #expect(await killed.waitForExit(timeout: .seconds(60)) == ChildExit(status: SIGUSR1, signaled: true))
        #expect(killed.exitStatus?.description == "was killed by signal \(SIGUSR1)")

        let directory = try scratchDirectory("spawn-cwd")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cat = try SpawnedProcess(
            "/bin/sh", ["-c", "pwd; echo \"$GREETING\"; cat"], environment: ["GREETING": "hallo"], directory: directory,
            input: .pipe, output: .pipe)
        try cat.standardInput?.write(contentsOf: Data("from stdin\n".utf8))
        try cat.standardInput?.close()
        let printed = try await onOwnThread { cat.standardOutput?.readDataToEndOfFile() ?? Data() }
        let realDirectory = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        #expect(String(decoding: printed, as: UTF8.self) == "\(realDirectory)\nhallo\nfrom stdin\n")
        #expect(await cat.waitForExit(timeout: .seconds(60)) == ChildExit(status: 0, signaled: false))
    }

    @Test("a missing program or working directory is an error that names it")
    func startFailures() throws {
        let missing = #expect(throws: SpawnError.self) { try SpawnedProcess("/no/such/program") }
        #expect(missing?.description == "cannot start /no/such/program: No such file or directory")
        let nowhere = #expect(throws: SpawnError.self) { try SpawnedProcess("/bin/true", directory: "/no/such/folder") }
        #expect(nowhere?.description == "cannot start /bin/true in /no/such/folder: No such file or directory")
        let unwritable = #expect(throws: SpawnError.self) { try SpawnedProcess("/bin/true", output: .file("/no/such/folder/log")) }
        #expect(unwritable?.description == "cannot start /bin/true: cannot write its output to /no/such/folder/log (No such file or directory)")
    }

    @Test("stop: a child that ends on the signal within the grace period, and one that ignores it and is killed")
    func stop() async throws {
        let polite = try SpawnedProcess("/bin/sleep", ["600"])
        #expect(await polite.stop(grace: .seconds(30)))
        #expect(polite.exitStatus == ChildExit(status: SIGTERM, signaled: true))
        let ready = scratchPath("trap-ready")
        defer { try? FileManager.default.removeItem(atPath: ready) }
        let stubborn = try SpawnedProcess("/bin/sh", ["-c", "trap '' TERM; touch '\(ready)'; while true; do sleep 0.1; done"])
        let deadline = ContinuousClock.now + .seconds(60)
        while !FileManager.default.fileExists(atPath: ready) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await !stubborn.stop(grace: .milliseconds(300)))
        #expect(stubborn.exitStatus == ChildExit(status: SIGKILL, signaled: true))
    }

    @Test("output and error into one file, which is emptied first")
    func intoAFile() async throws {
        let path = scratchPath("spawn-log")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "old contents, longer than the new ones\n".write(toFile: path, atomically: true, encoding: .utf8)
        let child = try SpawnedProcess("/bin/sh", ["-c", "echo out; echo err >&2"], output: .file(path), error: .sameAsOutput)
        #expect(await child.waitForExit(timeout: .seconds(60)) == ChildExit(status: 0, signaled: false))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "out\nerr\n")
    }

    /// The fault that made Foundation's `Process` hang a test run: descriptors of this process reaching children.
    @Test("a child has its three streams and nothing else of ours, so another child's pipe ends with that child")
    func noDescriptorLeaks() async throws {
        // Not close-on-exec, as Foundation's pipes and its exit-watching sockets are not.
        let open = Glibc.open("/dev/null", O_RDONLY)
        defer { close(open) }
        let foundationPipe = Pipe()
        // ls's own descriptors: the three streams, and 3 for the folder it reads.
        let listing = try SpawnedProcess("/bin/ls", ["/proc/self/fd"], output: .pipe)
        let descriptors = try await onOwnThread { listing.standardOutput?.readDataToEndOfFile() ?? Data() }
        let names = String(decoding: descriptors, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(open > 3 && foundationPipe.fileHandleForWriting.fileDescriptor > 3)
        #expect(names == ["0", "1", "2", "3"])

        // A prints and ends; B, started while A's pipe is open here, lives on. A's output must still reach its end.
        let short = try SpawnedProcess("/bin/sh", ["-c", "echo one"], output: .pipe)
        let long = try SpawnedProcess("/bin/sleep", ["600"])
        defer {
            long.send(SIGKILL)
            long.waitUntilExit(timeout: .seconds(10))
        }
        let read = DispatchSemaphore(value: 0)
        let text = Locked("")
        Thread.detachNewThread {
            let data = short.standardOutput?.readDataToEndOfFile() ?? Data()
            text.withLock { $0 = String(decoding: data, as: UTF8.self) }
            read.signal()
        }
        let finished = try await onOwnThread { read.wait(timeout: .now() + 60) == .success }
        #expect(finished, "the short child's output did not end while the long one ran")
        #expect(text.withLock { $0 } == "one\n")
        #expect(await short.waitForExit(timeout: .seconds(60)) == ChildExit(status: 0, signaled: false))
        #expect(long.isRunning)
    }

    @Test("children started from many threads at once are each seen ending, next to long-lived ones")
    func concurrentStarts() async throws {
        let exits = try await withThrowingTaskGroup(of: ChildExit?.self) { group in
            for index in 0..<40 {
                group.addTask {
                    if index % 4 == 0 {
                        let long = try SpawnedProcess("/bin/sleep", ["600"])
                        try await Task.sleep(for: .milliseconds(200))
                        long.send(SIGKILL)
                        return await long.waitForExit(timeout: .seconds(60)).map { _ in ChildExit(status: 0, signaled: false) }
                    }
                    let run = try await CollectedRun.run("/bin/sh", ["-c", "echo \(index)"], deadline: .seconds(60))
                    return run.map { ChildExit(status: $0.status, signaled: $0.signaled) }
                }
            }
            return try await group.reduce(into: [ChildExit?]()) { $0.append($1) }
        }
        #expect(exits.count == 40 && exits.allSatisfy { $0 == ChildExit(status: 0, signaled: false) }, "\(exits)")
    }

    @Test("a command past its deadline is killed with what it started; one that ends in time gives its output")
    func collectedRunDeadline() async throws {
        let pidFile = scratchPath("grandchild-pid")
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let started = ContinuousClock.now
        let late = try await CollectedRun.run("/bin/sh", ["-c", "sleep 600 & echo $! > '\(pidFile)'; wait"], deadline: .seconds(2))
        #expect(late == nil)
        #expect(ContinuousClock.now - started < .seconds(60))
        let grandchild = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // Killed with its group; its parent (the shell) was reaped, so init reaps it: gone or a zombie for a moment.
        let deadline = ContinuousClock.now + .seconds(30)
        while ChildProcesses.isRunning(grandchild) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!ChildProcesses.isRunning(grandchild))

        let done = try #require(try await CollectedRun.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 4"], deadline: .seconds(60)))
        #expect(done.status == 4 && !done.signaled)
        #expect(String(decoding: done.standardOutput, as: UTF8.self) == "out\n" && String(decoding: done.standardError, as: UTF8.self) == "err\n")
    }
}
