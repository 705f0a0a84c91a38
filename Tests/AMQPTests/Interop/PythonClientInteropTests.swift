import AMQP
import Foundation
import Testing

/// Independent clients against our listener (in-memory queues): Qpid Proton's Python binding
/// (`AMQP_INTEROP_PROTON_CLIENT`, the interpreter that has it, e.g. /usr/bin/python3) and
/// azure-servicebus's pure-Python AMQP stack `_pyamqp` (`AMQP_INTEROP_PYAMQP_CLIENT`). Each
/// sends N numbered messages, receives them back and checks them (Scripts/interop/*.py).
@Suite(.timeLimit(.minutes(3)))
struct PythonClientInteropTests {
    struct Client {
        var peer: String
        var interpreter: String
        var script: String
    }

    /// Runs the client against a fresh listener and returns its one-line JSON verdict.
    static func run(_ client: Client, user: String? = nil, arguments: [String]) async throws {
        var options = AMQPListener.Options()
        options.verify = { presented in
            if case .plain(_, let username, let password) = presented { return username == "interop" && password == "secret" }
            return true
        }
        let listener = try await AMQPListener.start(.queues(capacity: 100_000), options: options)
        defer { Task { await listener.close() } }
        try await run(client, url: "amqp://\(user.map { "\($0)@" } ?? "")127.0.0.1:\(listener.port)", arguments: arguments)
    }

    /// Runs the client against `url`; throws unless it printed `"ok": true` and exited 0.
    static func run(_ client: Client, url: String, arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: client.interpreter)
        process.arguments = [Interop.root.appendingPathComponent("Scripts/interop/\(client.script)").path, url] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        // Read while it runs (a full pipe would block it), then wait for its exit — on a
        // thread of its own, not one of the (two, here) threads every test's tasks share.
        let data = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }
        }
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        guard process.terminationStatus == 0 else {
            throw InteropFailure("\(client.script) exited \(process.terminationStatus): \(line)")
        }
        guard line.contains("\"ok\": true") || line.contains("\"ok\":true") else { throw InteropFailure("\(client.script): \(line)") }
    }

    static let clients: [Client] = [
        Interop.environment["AMQP_INTEROP_PROTON_CLIENT"].map {
            Client(peer: "python-qpid-proton 0.37 client", interpreter: $0, script: "proton_client.py")
        },
        Interop.environment["AMQP_INTEROP_PYAMQP_CLIENT"].map {
            Client(peer: "azure-servicebus _pyamqp client", interpreter: $0, script: "pyamqp_client.py")
        },
    ].compactMap { $0 }

    @Test(.enabled(if: !clients.isEmpty), arguments: clients.map(\.script))
    func clientAgainstOurListener(script: String) async throws {
        let client = try #require(Self.clients.first { $0.script == script })
        try await Interop.check(client.peer, "SASL ANONYMOUS, send and receive") {
            try await Self.run(client, arguments: ["interop-q", "-n", "1000", "--size", "1024"])
        }
        try await Interop.check(client.peer, "SASL PLAIN, send and receive") {
            try await Self.run(client, user: "interop:secret", arguments: ["interop-plain", "-n", "100", "--size", "100"])
        }
        try await Interop.check(client.peer, "pre-settled sending") {
            try await Self.run(client, arguments: ["interop-presettled", "-n", "1000", "--size", "100", "--presettled"])
        }
        try await Interop.check(client.peer, "64 KiB messages") {
            try await Self.run(client, arguments: ["interop-large", "-n", "200", "--size", "65536"])
        }
    }
}
