import AMQP
import AMQPCore
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// What one `amqp send` or `amqp receive` counted.
struct RunResult: Sendable {
    var count = 0
    var seconds = 0.0
    var size = 0
    var failure: String?
    /// Process CPU time (user + system) over the run, in seconds.
    var cpuSeconds = 0.0

    /// One JSON line: count, seconds, msgs_per_s, mb_per_s, cpu_us_per_msg, error.
    var json: String {
        let rate = seconds > 0 ? Double(count) / seconds : 0
        let cpu = count > 0 ? cpuSeconds * 1e6 / Double(count) : 0
        let error = failure.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" } ?? "null"
        return String(format: "{\"count\": %d, \"size\": %d, \"seconds\": %.6f, \"msgs_per_s\": %.1f, \"mb_per_s\": %.2f, \"cpu_us_per_msg\": %.3f, \"error\": %@}",
                      count, size, seconds, rate, rate * Double(size) / 1e6, cpu, error)
    }

    /// User + system CPU time of this process so far, in seconds.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    var summary: String {
        let rate = seconds > 0 ? Double(count) / seconds : 0
        let megabytes = rate * Double(size) / 1_000_000
        let line = "\(count) messages in \(String(format: "%.3f", seconds)) s: "
            + "\(Int(rate)) msgs/s, \(String(format: "%.1f", megabytes)) MB/s"
        return failure.map { line + "; error: \($0)" } ?? line
    }
}

/// The connection part of `amqp send` and `amqp receive`: the peer at `--url`, or an
/// in-process listener on loopback (the embedded default), and one session on it.
struct ClientRun {
    var arguments: ClientArguments
    var sourceMessageSize = 1024
    var url: String? { arguments.url }
    var tls: TLSArguments { arguments.tls }

    /// Connects, runs `body` with a session, closes; prints the summary and exits non-zero
    /// on any error or when `body` counted fewer than `expected`.
    func execute(expected: Int, _ body: (AMQPSession, inout RunResult) async throws(AMQPClientError) -> Void) async throws {
        var listener: AMQPListener?
        var result = RunResult()
        do throws(AMQPClientError) {
            let target: AMQPURL
            (target, listener) = try await tls.resolve(url: url, .sinkAndSource(messageSize: sourceMessageSize))
            var options = AMQPConnectionOptions()
            options.maxFrameSize = arguments.maxFrameSize
            if arguments.reconnect { options.reconnect = .exponential() }
            options.tls = tls.client
            if tls.insecure {
                FileHandle.standardError.write(Data("warning: TLS verification is off; the peer's identity is not checked\n".utf8))
            }
            let connection = try await AMQPConnection.connect(to: target, options: options)
            let session = try await connection.openSession()
            let clock = ContinuousClock()
            let started = clock.now
            let cpuStarted = RunResult.processCPUSeconds()
            do throws(AMQPClientError) {
                // The sending or receiving loop runs on the connection's own thread: no thread
                // switch per batch (see `AMQPEventLoopExecutor`).
                try await withTaskExecutorPreference(connection.taskExecutor) { () async throws(AMQPClientError) in
                    try await body(session, &result)
                }
            } catch {
                result.failure = "\(error)"
            }
            let elapsed = started.duration(to: clock.now).components
            result.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            result.cpuSeconds = RunResult.processCPUSeconds() - cpuStarted
            await connection.close()
        } catch {
            result.failure = "\(error)"
        }
        await listener?.close()
        print(arguments.json ? result.json : result.summary)
        guard result.failure == nil, result.count == expected else { throw ExitCode(1) }
    }
}
