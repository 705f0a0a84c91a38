import AMQPFaultProxy
import ArgumentParser
import Foundation

struct FaultProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fault-proxy",
        abstract: "A TCP proxy on loopback that breaks connections on purpose (for no-loss tests).",
        discussion: """
            Forwards 127.0.0.1:--port to --to HOST:PORT and, as asked, cuts each connection \
            at a random moment within --cut-every (e.g. 1s-3s), after --cut-after-bytes, or \
            delays every chunk. Prints `listening on PORT`, then one line per second with \
            connections and cuts so far (with --stats). Runs until interrupted.
            """
    )

    @Option(help: "Upstream HOST:PORT.")
    var to: String

    @Option(help: "Port to listen on (0: any free one, printed).")
    var port = 0

    @Option(help: "Cut each connection at a random time in this range after it opened: 1s-3s, 200ms-500ms.")
    var cutEvery: String?

    @Option(help: "Cut each connection after this many bytes (both ways together; mid-frame).")
    var cutAfterBytes: Int?

    @Option(help: "Hold each chunk this long: 5ms.")
    var delay: String?

    @Flag(help: "Print connections and cuts once a second.")
    var stats = false

    func run() async throws {
        guard let colon = to.lastIndex(of: ":"), let upstreamPort = Int(to[to.index(after: colon)...]) else {
            throw ValidationError("--to must be HOST:PORT")
        }
        var plan = FaultProxy.Plan(cutAfterBytes: cutAfterBytes)
        if let cutEvery {
            let parts = cutEvery.split(separator: "-").map(String.init)
            guard parts.count == 2, let low = Self.duration(parts[0]), let high = Self.duration(parts[1]), low <= high else {
                throw ValidationError("--cut-every must be LOW-HIGH, e.g. 1s-3s")
            }
            plan.cutAfter = low...high
        }
        if let delay {
            guard let value = Self.duration(delay) else { throw ValidationError("--delay must be a duration, e.g. 5ms") }
            plan.delay = value
        }
        let proxy = try await FaultProxy.start(to: String(to[..<colon]), port: upstreamPort, plan: plan, port: port)
        Self.say("listening on \(proxy.port)")
        while true {
            try await Task.sleep(for: .seconds(1))
            if stats {
                let now = await proxy.statistics
                Self.say("connections \(now.connections), cuts \(now.cuts), refused \(now.refused)")
            }
        }
    }

    /// A line on standard output at once (scripts read it while the proxy runs).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// `250ms`, `2s`, `1.5s`.
    static func duration(_ text: String) -> Duration? {
        if text.hasSuffix("ms"), let value = Double(text.dropLast(2)) { return .milliseconds(Int64(value)) }
        if text.hasSuffix("s"), let value = Double(text.dropLast()) { return .milliseconds(Int64(value * 1000)) }
        return nil
    }
}
