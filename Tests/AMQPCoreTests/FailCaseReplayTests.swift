import Foundation
import NIOCore
import Testing

@testable import AMQPCore

/// Replays the fuzzers' inputs in-process: every file in `Fuzz/FailCases/<Target>/` (inputs
/// that once crashed a fuzz target or broke its invariant) and in `Fuzz/Seeds/<Target>/`.
///
/// The checks are a copy of `Fuzz/Sources/FuzzSupport/RoundTrip.swift` (the fuzz package cannot
/// be a dependency of this one); keep the two in step. A decoding error is fine; what decodes
/// must re-encode, and the re-encoding must decode to an equal value.
@Suite struct FailCaseReplayTests {
    struct Input: CustomTestStringConvertible, Sendable {
        var target: String
        var path: String
        var testDescription: String { path }
    }

    static let targets = ["FuzzFrameDecoder", "FuzzValueDecoder", "FuzzMessageDecoder"]
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func inputs(in folder: String) -> [Input] {
        targets.flatMap { target in
            let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.filter { !$0.hasPrefix(".") }.sorted().map {
                Input(target: target, path: "\(folder)/\(target)/\($0)")
            }
        }
    }

    @Test func failCaseFoldersExist() {
        for target in Self.targets {
            let keep = Self.fuzzDirectory.appendingPathComponent("FailCases/\(target)/.keep")
            #expect(FileManager.default.fileExists(atPath: keep.path), "missing \(keep.path)")
        }
    }

    @Test(arguments: inputs(in: "FailCases"))
    func failCaseRoundTrips(_ input: Input) throws {
        try replay(input)
    }

    @Test(arguments: inputs(in: "Seeds"))
    func seedRoundTrips(_ input: Input) throws {
        try replay(input)
    }

    func replay(_ input: Input) throws {
        let bytes = try Data(contentsOf: Self.fuzzDirectory.appendingPathComponent(input.path))
        let buffer = ByteBuffer(bytes: bytes)
        let failure: String?
        switch input.target {
        case "FuzzValueDecoder": failure = RoundTrip.checkValue(buffer)
        case "FuzzFrameDecoder": failure = RoundTrip.checkFrames(buffer)
        default: failure = RoundTrip.checkMessage(buffer)
        }
        #expect(failure == nil, "\(input.path): \(failure ?? "")")
    }
}

/// A short copy of `Fuzz/Sources/FuzzSupport/RoundTrip.swift`; each check returns nil when the
/// input is fine and a description of the violated invariant otherwise.
private enum RoundTrip {
    static func checkValue(_ input: ByteBuffer) -> String? {
        guard let value = try? AMQPValue(decoding: input) else { return nil }
        var skipper = AMQPDecoder(buffer: input)
        do { try skipper.skipValue() } catch { return "skipValue rejects a value that readValue accepts: \(error)" }
        guard skipper.isAtEnd else { return "skipValue stops at offset \(skipper.offset)" }
        let encoded = value.encoded()
        let again: AMQPValue
        do { again = try AMQPValue(decoding: encoded) } catch { return "re-encoded value does not decode: \(error)" }
        guard again == value else { return "re-encoded value decodes differently: \(value) vs \(again)" }
        guard again.encoded() == encoded else { return "encoding is not stable" }
        var behind = bufferWithRoom(for: encoded)
        behind.writeAMQPValue(value)
        guard behind.readableBytesView.dropFirst().elementsEqual(encoded.readableBytesView) else {
            return "encoding behind other bytes differs"
        }
        return nil
    }

    static func bufferWithRoom(for encoded: ByteBuffer) -> ByteBuffer {
        let fraction = Int(encoded.readableBytesView.last ?? 0) % 5
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1 + encoded.readableBytes * fraction / 4)
        buffer.writeInteger(UInt8(0xAA))
        return buffer
    }

    static func checkFrames(_ input: ByteBuffer) -> String? {
        let whole = decodeStream([input], maxFrameSize: 1024 * 1024)
        if input.readableBytes > 1 {
            let last = Int(input.getInteger(at: input.writerIndex - 1, as: UInt8.self)!)
            let cut = 1 + last % (input.readableBytes - 1)
            let pieces = [input.getSlice(at: input.readerIndex, length: cut)!,
                          input.getSlice(at: input.readerIndex + cut, length: input.readableBytes - cut)!]
            let split = decodeStream(pieces, maxFrameSize: 1024 * 1024)
            guard split.items == whole.items, split.error == whole.error else { return "input split at \(cut) decodes differently" }
        }
        guard !whole.items.isEmpty else { return nil }
        let encoded = encodeStream(whole.items)
        let again = decodeStream([encoded], maxFrameSize: AMQPFrameDecoder.absoluteMaxFrameSize)
        if let error = again.error { return "re-encoded stream does not decode: \(error)" }
        guard again.leftover == 0 else { return "re-encoded stream leaves \(again.leftover) bytes" }
        guard again.items == whole.items else { return "re-encoded stream decodes differently: \(whole.items) vs \(again.items)" }
        guard encodeStream(again.items) == encoded else { return "encoding is not stable" }
        return nil
    }

    static func decodeStream(_ pieces: [ByteBuffer], maxFrameSize: UInt32)
        -> (items: [AMQPInbound], error: AMQPDecodingError?, leftover: Int)
    {
        var decoder = AMQPFrameDecoder(maxFrameSize: maxFrameSize)
        var buffer = ByteBuffer()
        var items: [AMQPInbound] = []
        for var piece in pieces {
            buffer.writeBuffer(&piece)
            do {
                while let item = try decoder.decodeItem(from: &buffer) { items.append(item) }
            } catch {
                return (items, error, buffer.readableBytes)
            }
        }
        return (items, nil, buffer.readableBytes)
    }

    static func encodeStream(_ items: [AMQPInbound]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for item in items {
            switch item {
            case .header(let header): buffer.writeAMQPProtocolHeader(header)
            case .frame(let frame): buffer.writeAMQPFrame(frame)
            }
        }
        return buffer
    }

    static func checkMessage(_ input: ByteBuffer) -> String? {
        guard let view = try? AMQPMessageView(decoding: input), let message = try? view.decodeMessage() else { return nil }
        if let data = view.data {
            guard case .data(let body) = message.body, body == data else { return "the view's data slice differs from the body" }
        }
        let encoded = message.encoded()
        let again: AMQPMessage
        do { again = try AMQPMessage(decoding: encoded) } catch { return "re-encoded message does not decode: \(error)" }
        guard again == message else { return "re-encoded message decodes differently: \(message) vs \(again)" }
        guard again.encoded() == encoded else { return "encoding is not stable" }
        var behind = bufferWithRoom(for: encoded)
        message.encode(into: &behind)
        guard behind.readableBytesView.dropFirst().elementsEqual(encoded.readableBytesView) else {
            return "encoding behind other bytes differs"
        }
        var scratch = ByteBuffer()
        guard message.encodeParts(into: &scratch, bodyThreshold: 0).joined() == encoded else {
            return "encodeParts differs from encode"
        }
        return nil
    }
}
