import AMQP
import AMQPCore
import Foundation
import NIOCore
import Synchronization

/// One `amqp bench` measurement: a mode, a workload, a settlement mode, the shape
/// (connections × links), and a bound (count and duration).
struct BenchScenario: Sendable {
    enum Mode: String, Sendable, CaseIterable {
        /// Our sender alone, against a sink.
        case send
        /// Our receiver alone, against a source.
        case receive
        /// Our senders → the peer → our receivers.
        case pipe
    }

    var mode: Mode
    var size: BenchSize
    var presettled: Bool
    var credit: UInt32
    var window: Int
    var connections: Int
    var links: Int
    var count: Int
    var duration: Duration
    var address: String
    /// Each loop runs on its connection's event loop (`AMQPConnection.taskExecutor`), else on
    /// the global executor.
    var onConnectionLoop = true

    /// Counts messages as they complete, for the progress line.
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    /// pipe: the receivers stop once they have what the senders sent (known when they finish).
    final class PipeTally: Sendable {
        let received = Atomic<Int>(0)
        /// -1 until the senders are done.
        let sent = Atomic<Int>(-1)

        var complete: Bool {
            let sent = sent.load(ordering: .acquiring)
            return sent >= 0 && received.load(ordering: .relaxed) >= sent
        }
    }

    /// Send → settle latencies, in nanoseconds.
    final class Latencies: Sendable {
        let values = Mutex<[UInt64]>([])
    }

    func run(url: AMQPURL, options: AMQPConnectionOptions, progress: Counter) async -> BenchResult {
        var result = BenchResult(mode: mode.rawValue, size: "\(size)", settlement: presettled ? "pre-settled" : "unsettled",
                                 connections: connections, links: links, messages: 0, seconds: 0, bytes: 0, cpuSeconds: 0)
        let cpu = RunResult.processCPUSeconds()
        let started = ContinuousClock.now
        let deadline = started + duration
        let latencies = Latencies()
        do throws(AMQPClientError) {
            let perLink = max(count / max(connections * links, 1), 1)
            var connectionsOpen: [AMQPConnection] = []
            defer { for connection in connectionsOpen { Task { await connection.close() } } }
            switch mode {
            case .send:
                let (messages, bytes) = try await sendAll(url, options, perLink: perLink, deadline: deadline,
                                                          latencies: latencies, progress: progress, opened: &connectionsOpen)
                result.messages = messages
                result.bytes = bytes
            case .receive:
                let (messages, bytes) = try await receiveAll(url, options, perLink: perLink, deadline: deadline,
                                                             progress: progress, opened: &connectionsOpen)
                result.messages = messages
                result.bytes = bytes
            case .pipe:
                // Receivers first (so nothing waits in the peer longer than it must), then senders.
                let scenario = self
                let tally = PipeTally()
                let receiving = Task { () async -> Result<(Int, Double), AMQPClientError> in
                    do throws(AMQPClientError) {
                        return .success(try await scenario.receiveAllClosing(url, options, perLink: perLink,
                                                                            deadline: deadline + .seconds(10), tally: tally))
                    } catch {
                        return .failure(error)
                    }
                }
                var senders: [AMQPConnection] = []
                let (sent, _) = try await sendAll(url, options, perLink: perLink, deadline: deadline,
                                                  latencies: latencies, progress: progress, opened: &senders)
                connectionsOpen += senders
                tally.sent.store(sent, ordering: .releasing)
                let (messages, bytes) = try await receiving.value.get()
                result.messages = messages
                result.bytes = bytes
                if messages != sent { result.error = "sent \(sent), received \(messages)" }
            }
        } catch {
            result.error = "\(error)"
        }
        let elapsed = started.duration(to: .now).components
        result.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        result.cpuSeconds = RunResult.processCPUSeconds() - cpu
        result.setLatencies(latencies.values.withLock { $0 })
        return result
    }

    private func address(_ connection: Int, _ link: Int) -> String {
        connections * links == 1 ? address : "\(address)-\(connection)-\(link)"
    }

    /// Every sender sends its share (or until the deadline); returns messages and body bytes sent.
    private func sendAll(
        _ url: AMQPURL, _ options: AMQPConnectionOptions, perLink: Int, deadline: ContinuousClock.Instant,
        latencies: Latencies, progress: Counter, opened: inout [AMQPConnection]
    ) async throws(AMQPClientError) -> (Int, Double) {
        let cycle = size.messages
        let sizes = size.cycle
        var senders: [(AMQPSender, String)] = []
        for connectionIndex in 0..<connections {
            let connection = try await AMQPConnection.connect(to: url, options: options)
            opened.append(connection)
            let session = try await connection.openSession()
            for linkIndex in 0..<links {
                let sender = try await session.openSender(to: address(connectionIndex, linkIndex),
                                                          options: AMQPSenderOptions(presettled: presettled))
                senders.append((sender, address(connectionIndex, linkIndex)))
            }
        }
        let window = self.window
        let results = await withTaskGroup(of: Result<AMQPBatchOutcome, AMQPClientError>.self) { group in
            for (sender, _) in senders {
                // On the connection's own thread (as a single-threaded client runs), or the pool.
                group.addTask(executorPreference: onConnectionLoop ? sender.connection.taskExecutor : nil) {
                    let messages = BenchMessages(cycle: cycle, count: perLink, deadline: deadline)
                    do throws(AMQPClientError) {
                        return .success(try await sender.send(encodedContentsOf: messages, window: window) { report in
                            latencies.values.withLock { $0.append(UInt64(report.latency.components.attoseconds / 1_000_000_000)
                                + UInt64(report.latency.components.seconds) * 1_000_000_000) }
                            progress.value.add(1, ordering: .relaxed)
                        })
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var all: [Result<AMQPBatchOutcome, AMQPClientError>] = []
            for await result in group { all.append(result) }
            return all
        }
        var accepted = 0
        for result in results {
            let outcome = try result.get()
            if let failure = outcome.failures.first {
                throw AMQPClientError(code: .linkDetached, detail: "\(outcome.failures.count) not accepted, e.g. \(String(describing: failure.state))")
            }
            accepted += outcome.accepted
        }
        // Body bytes: whole cycles plus the partial one.
        let cycleBytes = Double(sizes.reduce(0, +))
        let perCycle = Double(sizes.count)
        let bytes = (Double(accepted) / perCycle).rounded(.down) * cycleBytes
            + Double(sizes.prefix(accepted % sizes.count).reduce(0, +))
        return (accepted, bytes)
    }

    /// Every receiver takes its share (or until the deadline); returns messages and body bytes.
    private func receiveAll(
        _ url: AMQPURL, _ options: AMQPConnectionOptions, perLink: Int, deadline: ContinuousClock.Instant,
        progress: Counter?, tally: PipeTally? = nil, opened: inout [AMQPConnection]
    ) async throws(AMQPClientError) -> (Int, Double) {
        var receivers: [AMQPReceiver] = []
        for connectionIndex in 0..<connections {
            let connection = try await AMQPConnection.connect(to: url, options: options)
            opened.append(connection)
            let session = try await connection.openSession()
            for linkIndex in 0..<links {
                var receiverOptions = AMQPReceiverOptions(prefetch: credit)
                receiverOptions.presettled = presettled
                receivers.append(try await session.openReceiver(from: address(connectionIndex, linkIndex), options: receiverOptions))
            }
        }
        let credit = Int(self.credit)
        let results = await withTaskGroup(of: Result<(Int, Double), AMQPClientError>.self) { group in
            for receiver in receivers {
                group.addTask(executorPreference: onConnectionLoop ? receiver.connection.taskExecutor : nil) {
                    var count = 0
                    var bytes = 0.0
                    do throws(AMQPClientError) {
                        while count < perLink, ContinuousClock.now < deadline, tally?.complete != true {
                            let batch = try await receiver.receive(max: min(credit, perLink - count), timeout: .milliseconds(200))
                            guard !batch.isEmpty else { continue }
                            try await receiver.settle(batch)
                            count += batch.count
                            tally?.received.add(batch.count, ordering: .relaxed)
                            for delivery in batch { bytes += Double(delivery.message.data?.readableBytes ?? 0) }
                            progress?.value.add(batch.count, ordering: .relaxed)
                        }
                        return .success((count, bytes))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var all: [Result<(Int, Double), AMQPClientError>] = []
            for await result in group { all.append(result) }
            return all
        }
        var total = (0, 0.0)
        for result in results {
            let (count, bytes) = try result.get()
            total.0 += count
            total.1 += bytes
        }
        return total
    }
}

extension BenchScenario {
    /// `receiveAll` with connections of its own, closed when it is done (pipe's receivers).
    fileprivate func receiveAllClosing(
        _ url: AMQPURL, _ options: AMQPConnectionOptions, perLink: Int, deadline: ContinuousClock.Instant, tally: PipeTally
    ) async throws(AMQPClientError) -> (Int, Double) {
        var connections: [AMQPConnection] = []
        defer { for connection in connections { Task { await connection.close() } } }
        return try await receiveAll(url, options, perLink: perLink, deadline: deadline, progress: nil, tally: tally,
                                    opened: &connections)
    }
}
