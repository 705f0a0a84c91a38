import AMQP
import AMQPTLS
import ArgumentParser
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput, CPU per message and latency for 64 KB-bounded events.",
        discussion: """
            Runs every combination of --modes, --sizes and --settlement, one after another, and \
            prints a table (and, with --json, writes the results as JSON).

            Modes: send (our sender alone, against a sink), receive (our receiver alone, \
            against a source), pipe (our senders → the peer → our receivers). Sizes: body bytes, \
            or "mix" (integration events: 60% 256 B, 25% 1 KiB, 10% 8 KiB, 4% 32 KiB, 1% 64 KiB).

            Measured per scenario: messages/s and MB/s (body bytes), CPU µs per message (this \
            process's user + system time over the messages; with the embedded peer that \
            includes the peer's work), and send → settle latency percentiles (p50, p99, p99.9) \
            on the senders.

            Without --url every scenario runs against an in-process listener on loopback (a \
            sink and source for send and receive, in-memory queues for pipe). With --url, \
            against that peer: receive needs a source (or messages waiting at --address).
            """
    )

    @Option(help: "amqp[s]://[user:password@]host[:port] (default: the in-process listener).")
    var url: String?

    @Option(help: "Address (queue/topic); with several links, suffixed -<connection>-<link>.")
    var address = "bench"

    @Option(help: "Comma-separated modes: send, receive, pipe.")
    var modes = "send,receive,pipe"

    @Option(help: "Comma-separated body sizes in bytes, or mix.")
    var sizes = "100,1024,16384,65536,mix"

    @Option(help: "Comma-separated: unsettled, presettled.")
    var settlement = "unsettled,presettled"

    @Option(help: "Credit each receiver keeps granted (prefetch).")
    var credit: UInt32 = 1000

    @Option(help: "Unsettled deliveries each sender keeps in flight.")
    var window = 1000

    @Option(help: "Connections per side.")
    var connections = 1

    @Option(help: "Links per connection.")
    var links = 1

    @Option(help: "Stop each scenario after this many messages…")
    var count = 1_000_000

    @Option(help: "…or after this many seconds, whichever comes first.")
    var duration = 3.0

    @Option(help: ArgumentHelp(
        "Where each sending or receiving loop runs: connection (on its connection's event loop, as a single-threaded client does) or pool (Swift's global executor, a thread switch per batch).",
        valueName: "connection|pool"))
    var loopOn = "connection"

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Flag(help: "No live progress line (it is shown only on a terminal anyway).")
    var noProgress = false

    @OptionGroup(title: "TLS")
    var tls: TLSArguments

    func validate() throws {
        guard connections >= 1, links >= 1, count >= 1, duration > 0, window >= 1 else {
            throw ValidationError("--connections, --links, --count, --duration and --window must be positive")
        }
        _ = try parsedModes()
        _ = try parsedSizes()
        _ = try parsedSettlement()
        guard ["connection", "pool"].contains(loopOn) else { throw ValidationError("--loop-on is connection or pool") }
    }

    func parsedModes() throws -> [BenchScenario.Mode] {
        try modes.split(separator: ",").map { name in
            guard let mode = BenchScenario.Mode(rawValue: String(name)) else { throw ValidationError("unknown mode \(name)") }
            return mode
        }
    }

    func parsedSizes() throws -> [BenchSize] {
        try sizes.split(separator: ",").map { text in
            guard let size = BenchSize(argument: String(text)) else { throw ValidationError("bad size \(text)") }
            return size
        }
    }

    func parsedSettlement() throws -> [Bool] {
        try settlement.split(separator: ",").map { text in
            switch text {
            case "unsettled": return false
            case "presettled", "pre-settled": return true
            default: throw ValidationError("settlement is unsettled or presettled, not \(text)")
            }
        }
    }

    func run() async throws {
        var results: [BenchResult] = []
        let showProgress = !noProgress && isatty(STDOUT_FILENO) == 1
        print(BenchResult.header)
        for mode in try parsedModes() {
            for size in try parsedSizes() {
                for presettled in try parsedSettlement() {
                    let scenario = BenchScenario(
                        mode: mode, size: size, presettled: presettled, credit: credit, window: window,
                        connections: connections, links: links, count: count,
                        duration: .milliseconds(Int64(duration * 1000)), address: address,
                        onConnectionLoop: loopOn == "connection")
                    let result = await runOne(scenario, showProgress: showProgress)
                    if showProgress { print("\r\u{1B}[2K", terminator: "") }
                    print(result.row)
                    results.append(result)
                }
            }
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(results).write(to: URL(fileURLWithPath: json))
        }
        if results.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }

    /// One scenario against its peer (a fresh in-process listener without --url).
    private func runOne(_ scenario: BenchScenario, showProgress: Bool) async -> BenchResult {
        var listener: AMQPListener?
        defer { if let listener { Task { await listener.close() } } }
        var options = AMQPConnectionOptions()
        options.tls = tls.client
        let target: AMQPURL
        do throws(AMQPClientError) {
            let behaviour: AMQPListener.Behaviour = scenario.mode == .pipe
                ? .queues(capacity: 1_000_000) : .sinkAndSourceCycling(bodySizes: scenario.size.cycle)
            (target, listener) = try await tls.resolve(url: url, behaviour, prefetch: credit)
        } catch {
            return BenchResult(mode: scenario.mode.rawValue, size: "\(scenario.size)", settlement: "", connections: 0, links: 0,
                               messages: 0, seconds: 0, bytes: 0, cpuSeconds: 0, error: "\(error)")
        }
        let counter = BenchScenario.Counter()
        let ticker = showProgress ? Task {
            let start = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                let done = counter.value.load(ordering: .relaxed)
                let seconds = max(Double(start.duration(to: .now).components.seconds)
                    + Double(start.duration(to: .now).components.attoseconds) / 1e18, 0.001)
                print("\r\u{1B}[2K\(scenario.mode.rawValue) \(scenario.size) \(scenario.presettled ? "pre-settled" : "unsettled"): "
                    + "\(done) messages, \(Int(Double(done) / seconds)) msgs/s", terminator: "")
                fflush(nil)
            }
        } : nil
        let result = await scenario.run(url: target, options: options, progress: counter)
        ticker?.cancel()
        return result
    }
}
