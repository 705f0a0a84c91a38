// A plain timing program with the command line of Scripts/proton/codec_bench.c, so that
// Scripts/bench-codec-vs-proton.sh can time AMQPCore and Proton C on the same input files:
//
//   CodecTimer MODE FILE ITERATIONS
//
//   decode        FILE is an encoded message: validate the sections, decode properties and
//                 application-properties, take the data body (what pn_message_decode does)
//   decode-lazy   the same, without decoding properties and application-properties
//   encode        decode FILE once, then encode the message repeatedly into a reused buffer
//   frame-decode  FILE is a transfer frame: frame header, transfer performative, message as
//                 for `decode`
//
// Prints `swift MODE ns/op=X ops=ITERATIONS`: the best of five repetitions of ITERATIONS
// operations, after a warm-up.
// Exits non-zero, with a message on stderr, when an input does not decode.

import AMQPCore
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(never) @_optimize(none)
func blackHole<T>(_ value: T) {}

func fail(_ message: String) -> Never {
    var text = "CodecTimer: \(message)\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(1)
}

func readFile(_ path: String) -> ByteBuffer {
    guard let file = fopen(path, "rb") else { fail("cannot open \(path)") }
    defer { fclose(file) }
    var buffer = ByteBuffer()
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if count > 0 { buffer.writeBytes(chunk[0..<count]) }
        if count < chunk.count { break }
    }
    guard ferror(file) == 0 else { fail("cannot read \(path)") }
    return buffer
}

/// What pn_message_decode does: validate the sections, decode properties and
/// application-properties, take the data body (a slice).
func decodeFull(_ bytes: ByteBuffer) throws(AMQPDecodingError) -> AMQPMessageView {
    let view = try AMQPMessageView(decoding: bytes)
    blackHole(try view.properties())
    blackHole(try view.applicationProperties())
    blackHole(view.data)
    return view
}

/// The best of five timed repetitions of `iterations` calls of `operation`, in ns per call,
/// after a warm-up of max(iterations / 10, 100) calls (as codec_bench does).
func time(iterations: Int, _ operation: () throws(AMQPDecodingError) -> Void) -> Double {
    do {
        for _ in 0..<max(iterations / 10, 100) { try operation() }
    } catch {
        fail("decode failed while warming up: \(error)")
    }
    var best = Double.infinity
    for _ in 0..<5 {
        let start = ContinuousClock.now
        do {
            for _ in 0..<iterations { try operation() }
        } catch {
            fail("decode failed while timing: \(error)")
        }
        let elapsed = ContinuousClock.now - start
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        best = min(best, nanoseconds / Double(iterations))
    }
    return best
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let iterations = Int(arguments[3]), iterations > 0 else {
    fail("usage: CodecTimer decode|decode-lazy|encode|frame-decode FILE ITERATIONS")
}
let mode = arguments[1]
let input = readFile(arguments[2])

let nanosecondsPerOperation: Double
switch mode {
case "decode", "decode-lazy", "decode-pick":
    let full = mode == "decode"
    let pick = mode == "decode-pick"
    // Check once, outside the timed loop, that the input is a message with a data body.
    do {
        let view = try decodeFull(input)
        guard let data = view.data, data.readableBytes > 0 else { fail("\(arguments[2]): no data body") }
        guard try view.properties() != nil else { fail("\(arguments[2]): no properties") }
    } catch {
        fail("\(arguments[2]): \(error)")
    }
    nanosecondsPerOperation = time(iterations: iterations) { () throws(AMQPDecodingError) in
        if full {
            blackHole(try decodeFull(input))
        } else if pick {
            // What an event consumer reads: two application properties and the body.
            let view = try AMQPMessageView(decoding: input)
            blackHole(try view.applicationProperty("type"))
            blackHole(try view.applicationProperty("source"))
            blackHole(view.data)
        } else {
            let view = try AMQPMessageView(decoding: input)
            blackHole(view.data)
        }
    }

case "encode":
    let message: AMQPMessage
    do {
        message = try AMQPMessage(decoding: input)
    } catch {
        fail("\(arguments[2]): \(error)")
    }
    var out = ByteBuffer()
    out.reserveCapacity(input.readableBytes * 2)
    // Round trip: what we encode must decode to the same message.
    message.encode(into: &out)
    do {
        guard try AMQPMessage(decoding: out) == message else { fail("re-encoded message differs") }
    } catch {
        fail("re-encoded message does not decode: \(error)")
    }
    nanosecondsPerOperation = time(iterations: iterations) {
        out.clear()
        message.encode(into: &out)
        blackHole(out.readableBytes)
    }

case "frame-decode", "frame-decode-lazy":
    let lazy = mode == "frame-decode-lazy"
    func decodeFrame() throws(AMQPDecodingError) -> AMQPMessageView {
        var decoder = AMQPFrameDecoder(maxFrameSize: AMQPFrameDecoder.absoluteMaxFrameSize)
        var bytes = input
        guard case .frame(let frame)? = try decoder.decodeItem(from: &bytes),
            case .amqp(.transfer(let transfer), let payload) = frame.body
        else { fail("\(arguments[2]): not a complete transfer frame") }
        blackHole(transfer)
        return lazy ? try AMQPMessageView(decoding: payload) : try decodeFull(payload)
    }
    do {
        let view = try decodeFrame()
        guard let data = view.data, data.readableBytes > 0 else { fail("\(arguments[2]): no data body") }
    } catch {
        fail("\(arguments[2]): \(error)")
    }
    nanosecondsPerOperation = time(iterations: iterations) { () throws(AMQPDecodingError) in
        blackHole(try decodeFrame())
    }

default:
    fail("unknown mode \(mode)")
}

print("swift \(mode) ns/op=\(String(format1: nanosecondsPerOperation)) ops=\(iterations)")

extension String {
    /// `value` with one decimal.
    init(format1 value: Double) {
        let tenths = (value * 10).rounded()
        self = "\(Int(tenths) / 10).\(Int(tenths) % 10)"
    }
}
