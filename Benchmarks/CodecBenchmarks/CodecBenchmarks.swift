import AMQPCore
import Benchmark
import NIOCore

// Wire-layer benchmarks for AMQPCore. Each benchmark runs `scalingFactor` operations per
// sample, and the plugin reports per-operation values (the `*` columns). Inputs are built in
// `setup:` and reusable buffers before `startMeasurement()`, so only the codec is measured.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 1_000
    )

    registerTransferDecodeBenchmarks()
    registerTransferEncodeBenchmarks()
    registerPerformativeBenchmarks()
    registerMapBenchmarks()
}

// MARK: Transfers

/// Decodes one transfer frame: frame header, transfer performative, then the message, lazily
/// (section walk + data slice) or fully (also properties and application-properties, which is
/// what Proton's `pn_message_decode` does).
func registerTransferDecodeBenchmarks() {
    for (label, bodySize) in [("1KiB", 1024), ("64KiB", 65536)] {
        for full in [false, true] {
            Benchmark("transfer decode \(label)\(full ? " full" : "")") { benchmark, frame in
                var decoder = AMQPFrameDecoder(maxFrameSize: 1024 * 1024)
                for _ in benchmark.scaledIterations {
                    var input = frame
                    do {
                        guard case .frame(let decoded)? = try decoder.decodeItem(from: &input),
                            case .amqp(.transfer(let transfer), let payload) = decoded.body
                        else { fatalError("not a transfer frame") }
                        let view = try AMQPMessageView(decoding: payload)
                        blackHole(transfer.deliveryID)
                        blackHole(view.data)
                        if full {
                            blackHole(try view.properties())
                            blackHole(try view.applicationProperties())
                        }
                    } catch {
                        fatalError("decode failed: \(error)")
                    }
                }
            } setup: {
                Fixtures.transferFrame(bodySize: bodySize)
            }
        }
    }
}

/// Encodes message + transfer performative + frame header into a reused buffer.
func registerTransferEncodeBenchmarks() {
    // 1 KiB: the message is encoded into a scratch buffer and copied into the frame.
    Benchmark("transfer encode 1KiB") { benchmark, message in
        var scratch = ByteBuffer()
        scratch.reserveCapacity(4096)
        var out = ByteBuffer()
        out.reserveCapacity(4096)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            scratch.clear()
            message.encode(into: &scratch)
            out.clear()
            out.writeAMQPFrame(AMQPFrame(channel: 1, performative: .transfer(Fixtures.transfer), payload: scratch))
            blackHole(out.readableBytes)
        }
    } setup: {
        Fixtures.message(bodySize: 1024)
    }

    // 64 KiB: the body is not copied; the transfer encoder hands it to `emit` as its own
    // buffer. With 16 KiB frames the message is split over five frames.
    for (label, maxFrameSize) in [("", UInt32(1024 * 1024)), (" 16KiB frames", UInt32(16384))] {
        Benchmark("transfer encode 64KiB\(label)") { benchmark, message in
            let encoder = AMQPTransferEncoder(maxFrameSize: maxFrameSize)
            var scratch = ByteBuffer()
            scratch.reserveCapacity(4096)
            var out = ByteBuffer()
            out.reserveCapacity(128 * 1024)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                scratch.clear()
                let parts = message.encodeParts(into: &scratch)
                out.clear()
                var emitted = 0
                do {
                    try encoder.writeTransfer(Fixtures.transfer, channel: 1, message: parts, into: &out) { piece in
                        emitted += piece.readableBytes
                    }
                } catch {
                    fatalError("encode failed: \(error)")
                }
                emitted += out.readableBytes
                blackHole(emitted)
            }
        } setup: {
            Fixtures.message(bodySize: 65536)
        }
    }
}

// MARK: Performatives

/// Each performative as a whole frame: encode into a reused buffer, decode with the frame decoder.
func registerPerformativeBenchmarks() {
    for (name, performative) in Fixtures.performatives {
        Benchmark("\(name) encode") { benchmark, frame in
            var out = ByteBuffer()
            out.reserveCapacity(1024)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                out.clear()
                out.writeAMQPFrame(frame)
                blackHole(out.readableBytes)
            }
        } setup: {
            AMQPFrame(channel: 0, performative: performative)
        }

        Benchmark("\(name) decode") { benchmark, bytes in
            var decoder = AMQPFrameDecoder()
            for _ in benchmark.scaledIterations {
                var input = bytes
                do {
                    guard case .frame(let frame)? = try decoder.decodeItem(from: &input) else {
                        fatalError("no frame")
                    }
                    blackHole(frame)
                } catch {
                    fatalError("decode failed: \(error)")
                }
            }
        } setup: { () -> ByteBuffer in
            var bytes = ByteBuffer()
            bytes.writeAMQPFrame(AMQPFrame(channel: 0, performative: performative))
            return bytes
        }
    }
}

// MARK: Maps

/// A 20-entry map with string keys and mixed values (application-properties sized).
func registerMapBenchmarks() {
    Benchmark("map20 encode") { benchmark, map in
        var out = ByteBuffer()
        out.reserveCapacity(1024)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            out.clear()
            out.writeAMQPMap(map)
            blackHole(out.readableBytes)
        }
    } setup: {
        Fixtures.map
    }

    Benchmark("map20 decode") { benchmark, bytes in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try AMQPValue(decoding: bytes))
            } catch {
                fatalError("decode failed: \(error)")
            }
        }
    } setup: { () -> ByteBuffer in
        var bytes = ByteBuffer()
        bytes.writeAMQPMap(Fixtures.map)
        return bytes
    }
}
