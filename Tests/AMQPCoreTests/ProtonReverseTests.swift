import Foundation
import NIOCore
import Testing
@testable import AMQPCore

/// The reverse direction: our encodings, decoded by Qpid Proton (`Scripts/proton/check_ours.py`,
/// run with Debian's /usr/bin/python3 and python3-qpid-proton, which `.ci/run` installs).
@Suite struct ProtonReverseTests {
    @Test func protonDecodesOurValuesMessagesAndFrames() async throws {
        var values: [[String: Any]] = []
        for (index, vector) in try TypedJSON.load("proton-values.json").enumerated() {
            let name = vector["name"] as! String
            if name == "map duplicate keys" { continue }
            let value = try TypedJSON.value(vector["value"]!)
            values.append(["name": "ours \(index) \(name)", "hex": hex(value.encoded()), "value": TypedJSON.json(value)])
        }
        var g = SeededGenerator(seed: 2024)
        for index in 0..<300 {
            let value = RandomValues.value(depth: 3, using: &g)
            values.append(["name": "random \(index)", "hex": hex(value.encoded()), "value": TypedJSON.json(value)])
        }
        let messages = OurVectors.messages.map { name, message in OurVectors.json(name: name, message: message) }
        let document: [String: Any] = ["values": values, "messages": messages, "frames": OurVectors.frameStreams()]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("swift-amqp-ours-\(getpid()).json")
        try JSONSerialization.data(withJSONObject: document).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [TypedJSON.repositoryRoot.appendingPathComponent("Scripts/proton/check_ours.py").path, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Wait on a thread of its own: the tasks of every other test share two threads here,
        // and blocking one for the seconds Proton takes starves them.
        let output = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
        let failures = output.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        #expect(process.terminationStatus == 0, "check_ours.py: \(failures.prefix(10).joined(separator: "\n"))\n\(output.suffix(400))")
        let summary = output.split(separator: "\n").last { $0.contains(" passed, ") } ?? ""
        let passed = Int(summary.split(separator: " ").first ?? "") ?? 0
        let skipped = output.split(separator: "\n").filter { $0.hasPrefix("skip") }
        #expect(summary.contains(" passed, 0 failed"), "\(output.suffix(400))")
        #expect(passed + skipped.count == values.count + messages.count + 2, "\(summary)")
        #expect(skipped.count < 20, "\(skipped.prefix(5))")
    }
}

/// Messages and frame streams we encode for Proton to check.
enum OurVectors {
    static let eventBody = ByteBuffer(string: #"{"id":"5f0c2a4e","source":"orders","type":"order.created","occurredTimeUtc":"2026-11-29T05:00:00Z","activityId":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","specVersion":"1.0","payload":{"n":1}}"#)

    static var messages: [(String, AMQPMessage)] {
        var properties = MessageProperties()
        properties.messageID = .string("5f0c2a4e")
        properties.userID = ByteBuffer(string: "guest")
        properties.to = "topic/orders"
        properties.subject = "order.created"
        properties.replyTo = "reply"
        properties.correlationID = .uuid(AMQPUUID(uuidString: "f81d4fae-7dec-11d0-a765-00a0c91e6bf6")!)
        properties.contentType = "application/json"
        properties.contentEncoding = "identity"
        properties.absoluteExpiryTime = AMQPTimestamp(millisecondsSince1970: 1_800_000_000_000)
        properties.creationTime = AMQPTimestamp(millisecondsSince1970: 1_764_392_400_000)
        properties.groupID = "g"
        properties.groupSequence = 3
        properties.replyToGroupID = "rg"
        let header = MessageHeader(durable: true, priority: 7, ttl: 60_000, firstAcquirer: false, deliveryCount: 2)
        let application: AMQPMap = [
            .string("source"): .string("orders"), .string("type"): .string("order.created"),
            .string("specVersion"): .string("1.0"), .string("Diagnostic-Id"): .string("00-0af7-01"),
            .string("n"): .int(-5), .string("big"): .long(1 << 40), .string("ok"): .boolean(true),
            .string("when"): .timestamp(AMQPTimestamp(millisecondsSince1970: 5)),
        ]
        let annotations: AMQPMap = [.symbol("x-opt-sequence-number"): .long(42), .ulong(7): .string("numeric key")]
        return [
            ("data 1 KiB with properties", AMQPMessage(data: ByteBuffer(repeating: 0x61, count: 1024), properties: properties,
                                                       applicationProperties: application)),
            ("data 64 KiB", AMQPMessage(data: ByteBuffer(repeating: 0x62, count: 65_536))),
            ("event", AMQPMessage(data: eventBody, properties: properties, applicationProperties: application)),
            ("all sections", AMQPMessage(header: header, deliveryAnnotations: [.symbol("x-opt-lock-token"): .uuid(AMQPUUID(high: 1, low: 2))],
                                         messageAnnotations: annotations, properties: properties, applicationProperties: application,
                                         body: .data(ByteBuffer(string: "body")), footer: [.symbol("x-hash"): .binary(ByteBuffer(string: "h"))])),
            ("value string", AMQPMessage(body: .value(.string("hello")))),
            ("value map", AMQPMessage(body: .value(.map([.string("k"): .list([.int(1), .null])])))),
            ("sequence", AMQPMessage(body: .sequence([[.int(1), .string("two")]]))),
            ("header only durable", AMQPMessage(header: MessageHeader(durable: true), body: .value(.null))),
            ("message-id ulong", AMQPMessage(properties: MessageProperties(messageID: .ulong(99)), body: .value(.int(1)))),
            ("message-id binary", AMQPMessage(properties: MessageProperties(messageID: .binary(ByteBuffer(string: "b"))),
                                              body: .value(.int(1)))),
        ]
    }

    static func json(name: String, message: AMQPMessage) -> [String: Any] {
        var object: [String: Any] = ["name": name, "hex": hex(message.encoded())]
        if let header = message.header {
            var fields: [String: Any] = [:]
            fields["durable"] = header.durable
            fields["priority"] = header.priority.map { Int($0) }
            fields["ttl"] = header.ttl.map { Int($0) }
            fields["first_acquirer"] = header.firstAcquirer
            fields["delivery_count"] = header.deliveryCount.map { Int($0) }
            object["header"] = fields
        } else {
            object["header"] = NSNull()
        }
        if let properties = message.properties {
            func id(_ id: AMQPMessageID?) -> Any? {
                switch id {
                case .ulong(let v): return TypedJSON.json(.ulong(v))
                case .uuid(let v): return TypedJSON.json(.uuid(v))
                case .binary(let v): return TypedJSON.json(.binary(v))
                case .string(let v): return TypedJSON.json(.string(v))
                case nil: return nil
                }
            }
            var fields: [String: Any] = [:]
            fields["message_id"] = id(properties.messageID)
            fields["user_id"] = properties.userID.map(hex)
            fields["to"] = properties.to
            fields["subject"] = properties.subject
            fields["reply_to"] = properties.replyTo
            fields["correlation_id"] = id(properties.correlationID)
            fields["content_type"] = properties.contentType?.rawValue
            fields["content_encoding"] = properties.contentEncoding?.rawValue
            fields["absolute_expiry_time"] = properties.absoluteExpiryTime.map { Int($0.millisecondsSince1970) }
            fields["creation_time"] = properties.creationTime.map { Int($0.millisecondsSince1970) }
            fields["group_id"] = properties.groupID
            fields["group_sequence"] = properties.groupSequence.map { Int($0) }
            fields["reply_to_group_id"] = properties.replyToGroupID
            object["properties"] = fields
        } else {
            object["properties"] = NSNull()
        }
        object["delivery_annotations"] = message.deliveryAnnotations.map { TypedJSON.json(.map($0)) } ?? NSNull()
        object["message_annotations"] = message.messageAnnotations.map { TypedJSON.json(.map($0)) } ?? NSNull()
        object["application_properties"] = message.applicationProperties.map { TypedJSON.json(.map($0)) } ?? NSNull()
        object["footer"] = message.footer.map { TypedJSON.json(.map($0)) } ?? NSNull()
        switch message.body {
        case .data(let data): object["body"] = ["kind": "data", "hex": hex(data)]
        case .value(let value): object["body"] = ["kind": "value", "v": TypedJSON.json(value)]
        case .sequence(let lists): object["body"] = ["kind": "sequence", "v": lists[0].map(TypedJSON.json)]
        default: object["body"] = NSNull()
        }
        return object
    }

    /// Client-side frame streams, as our encoders write them.
    static func frameStreams() -> [[String: Any]] {
        let message = messages[0].1
        let large = messages[1].1
        var plain = ByteBuffer()
        plain.writeAMQPProtocolHeader(.amqp)
        let open = Open(containerID: "swift-client", hostname: "localhost", maxFrameSize: 65_536, channelMax: 9,
                        idleTimeOut: 30_000, offeredCapabilities: ["ANONYMOUS-RELAY"], properties: [.symbol("product"): "swift-amqp"])
        var frames: [AMQPFrame] = [
            AMQPFrame(channel: 0, performative: .open(open)),
            AMQPFrame(channel: 0, performative: .begin(Begin(nextOutgoingID: 0, incomingWindow: 2048, outgoingWindow: 2048))),
            AMQPFrame(channel: 0, performative: .attach(Attach(
                name: "sender-1", handle: 0, role: .sender, sndSettleMode: .unsettled,
                source: Source(address: "src"), target: .target(Target(address: "queue-a", durable: .none, capabilities: ["queue"])),
                initialDeliveryCount: 0, maxMessageSize: 1 << 20))),
            AMQPFrame(channel: 0, performative: .attach(Attach(
                name: "receiver-1", handle: 1, role: .receiver, source: Source(address: "queue-b", filter: [
                    .symbol("sf"): .described(AMQPDescribed(descriptor: .symbol("apache.org:selector-filter:string"), value: .string("a = 1"))),
                ]), target: .target(Target(address: "local"))))),
            AMQPFrame(channel: 0, performative: .flow(Flow(nextIncomingID: 0, incomingWindow: 2048, nextOutgoingID: 0, outgoingWindow: 2048,
                                                        handle: 1, deliveryCount: 0, linkCredit: 100))),
        ]
        for frame in frames { plain.writeAMQPFrame(frame) }
        // Deliveries: one whole, one split over 512-byte frames, both through the transfer encoder.
        let encoder = AMQPTransferEncoder(maxFrameSize: 512, copyThreshold: 1 << 30)
        var scratch = ByteBuffer()
        for (id, payload) in [(UInt32(0), message), (UInt32(1), large)] {
            let transfer = Transfer(handle: 0, deliveryID: id, deliveryTag: ByteBuffer(integer: id), messageFormat: 0)
            let parts = payload.encodeParts(into: &scratch)
            var out = ByteBuffer()
            var written = ByteBuffer()
            _ = try! encoder.writeTransfer(transfer, channel: 0, message: parts, into: &out) { written.writeImmutableBuffer($0) }
            written.writeBuffer(&out)
            plain.writeBuffer(&written)
        }
        frames = [
            AMQPFrame(channel: 0, performative: .disposition(Disposition(role: .receiver, first: 0, last: 3, settled: true,
                                                                          state: .accepted(Accepted())))),
            AMQPFrame.heartbeat(),
            AMQPFrame(channel: 0, performative: .detach(Detach(handle: 0, closed: true))),
            AMQPFrame(channel: 0, performative: .detach(Detach(handle: 1, closed: true, error: AMQPError(condition: .detachForced,
                                                                                                         errorDescription: "bye")))),
            AMQPFrame(channel: 0, performative: .end(End())),
            AMQPFrame(channel: 0, performative: .close(Close(error: AMQPError(condition: .connectionForced, errorDescription: "done",
                                                                             info: [.symbol("k"): .int(1)])))),
        ]
        for frame in frames { plain.writeAMQPFrame(frame) }

        var sasl = ByteBuffer()
        sasl.writeAMQPProtocolHeader(.sasl)
        sasl.writeAMQPFrame(AMQPFrame(channel: 0, body: .sasl(.initiate(SASLInit(mechanism: "ANONYMOUS", initialResponse: ByteBuffer(string: "anonymous"))))))
        sasl.writeAMQPProtocolHeader(.amqp)
        sasl.writeAMQPFrame(AMQPFrame(channel: 0, performative: .open(Open(containerID: "swift-sasl"))))
        sasl.writeAMQPFrame(AMQPFrame(channel: 0, performative: .close(Close())))
        return [stream(name: "our client session", plain), stream(name: "our SASL ANONYMOUS", sasl)]
    }

    /// A stream vector: the bytes, and each frame as our own decoder reads it.
    static func stream(name: String, _ bytes: ByteBuffer) -> [String: Any] {
        var input = bytes
        var decoder = AMQPFrameDecoder()
        var frames: [[String: Any]] = []
        var offset = 0
        while let item = try! decoder.decodeItem(from: &input) {
            defer { offset = decoder.streamOffset }
            guard case .frame(let frame) = item else { continue }
            var entry: [String: Any] = ["offset": offset, "channel": Int(frame.channel), "type": Int(frame.type.rawValue)]
            var body = ByteBuffer()
            switch frame.body {
            case .amqp(let performative, let payload):
                performative.writeAMQP(into: &body)
                entry["payload_hex"] = hex(payload)
            case .sasl(let sasl):
                sasl.writeAMQP(into: &body)
                entry["payload_hex"] = ""
            case .empty:
                entry["payload_hex"] = ""
            }
            entry["performative"] = body.readableBytes == 0 ? NSNull() : TypedJSON.json(try! AMQPValue(decoding: body))
            frames.append(entry)
        }
        return ["name": name, "origin": "client", "hex": hex(bytes), "frames": frames]
    }
}
