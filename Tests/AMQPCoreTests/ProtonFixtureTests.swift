import Foundation
import NIOCore
import Testing
@testable import AMQPCore

/// Bytes encoded by Qpid Proton (Scripts/proton/make_fixtures.py) must decode to the values,
/// messages and frames Proton meant, and re-encode to something that decodes to the same.
@Suite struct ProtonFixtureTests {
    @Test func valuesEncodedByProtonDecodeToEqualValues() throws {
        let vectors = try TypedJSON.load("proton-values.json")
        #expect(vectors.count > 100)
        for vector in vectors {
            let name = vector["name"] as! String
            let expected = try TypedJSON.value(vector["value"]!)
            if name == "map duplicate keys" {
                // Proton accepts it; the spec says map keys are distinct, and so do we.
                #expect(decodeError(vector["hex"] as! String)?.code == .duplicateMapKey)
                continue
            }
            let decoded = try AMQPValue(decoding: bytes(vector["hex"] as! String))
            #expect(decoded == expected, "\(name)")
            #expect(try AMQPValue(decoding: decoded.encoded()) == expected, "\(name) re-encoded")
        }
    }

    @Test func messagesEncodedByProtonDecodeToEqualMessages() throws {
        let vectors = try TypedJSON.load("proton-messages.json")
        #expect(vectors.count > 20)
        for vector in vectors {
            let name = vector["name"] as! String
            let encoded = bytes(vector["hex"] as! String)
            let view = try AMQPMessageView(decoding: encoded)
            let message = try view.decodeMessage()
            let expected = try Self.message(from: vector)
            #expect(message.header == expected.header, "\(name) header")
            #expect(message.properties == expected.properties, "\(name) properties")
            #expect(message.deliveryAnnotations == expected.deliveryAnnotations, "\(name) delivery-annotations")
            #expect(message.messageAnnotations == expected.messageAnnotations, "\(name) message-annotations")
            #expect(message.applicationProperties == expected.applicationProperties, "\(name) application-properties")
            #expect(message.footer == expected.footer, "\(name) footer")
            if (vector["body"] as? [String: Any])?["sections"] == nil {
                #expect(message.body == expected.body, "\(name) body")
            }
            #expect(try AMQPMessage(decoding: message.encoded()) == message, "\(name) re-encoded")
            if case .data = message.body {
                #expect(view.data == (vector["body"] as? [String: Any]).map { bytes($0["hex"] as! String) }, "\(name) data slice")
            }
        }
    }

    @Test func framesEmittedByProtonsEngineDecode() throws {
        let vectors = try TypedJSON.load("proton-frames.json")
        var performatives: Set<String> = []
        for vector in vectors {
            let name = vector["name"] as! String
            var stream = bytes(vector["hex"] as! String)
            var decoder = AMQPFrameDecoder(maxFrameSize: AMQPFrameDecoder.absoluteMaxFrameSize)
            var frames: [AMQPFrame] = []
            while let item = try decoder.decodeItem(from: &stream) {
                if case .frame(let frame) = item { frames.append(frame) }
            }
            #expect(stream.readableBytes == 0, "\(name): bytes left over")
            let expectedFrames = vector["frames"] as! [[String: Any]]
            #expect(frames.count == expectedFrames.count, "\(name)")
            for (frame, expected) in zip(frames, expectedFrames) {
                #expect(Int(frame.channel) == expected["channel"] as! Int, "\(name)")
                #expect(Int(frame.type.rawValue) == expected["type"] as! Int, "\(name)")
                let generic: AMQPValue?
                switch frame.body {
                case .empty:
                    generic = nil
                case .amqp(let performative, let payload):
                    performatives.insert(performative.specName)
                    var buffer = ByteBuffer()
                    performative.writeAMQP(into: &buffer)
                    generic = try AMQPValue(decoding: buffer)
                    #expect(hex(payload) == expected["payload_hex"] as! String, "\(name) \(performative.specName) payload")
                case .sasl(let body):
                    performatives.insert("sasl")
                    var buffer = ByteBuffer()
                    body.writeAMQP(into: &buffer)
                    generic = try AMQPValue(decoding: buffer)
                }
                let protons = try (expected["performative"] as? [String: Any]).map(TypedJSON.value)
                #expect(generic.map(Self.normalized) == protons.map(Self.normalized), "\(name) frame at \(expected["offset"]!)")
            }
        }
        #expect(performatives.isSuperset(of: ["open", "begin", "attach", "flow", "transfer", "disposition", "detach", "end", "close", "sasl"]))
    }

    /// Proton and we may differ in encodings the spec treats as equal: trailing nulls, a single
    /// symbol versus an array of one, and a default written out versus null. Normalise those.
    static func normalized(_ value: AMQPValue) -> AMQPValue {
        switch value {
        case .described(let described):
            guard case .list(var fields) = described.value else { return value }
            fields = fields.map { field in
                if case .symbol(let symbol) = field { return .array(AMQPArray(symbols: [symbol])) }
                if case .list(let list) = field, !list.isEmpty, list.allSatisfy({ $0.primitiveType == .symbol }) {
                    return .array(try! AMQPArray(list, of: .primitive(.symbol)))
                }
                if case .described = field { return normalized(field) }
                return field
            }
            if case .ulong(let code) = described.descriptor {
                fields = dropDefaults(fields, code: code)
            }
            while fields.last == .null { fields.removeLast() }
            return .described(AMQPDescribed(descriptor: described.descriptor, value: .list(fields)))
        default:
            return value
        }
    }

    /// Proton writes some defaults explicitly; we write them as null.
    static func dropDefaults(_ fields: [AMQPValue], code: UInt64) -> [AMQPValue] {
        let defaults: [Int: AMQPValue]
        switch code {
        case Open.descriptorCode: defaults = [2: .uint(.max), 3: .ushort(.max)]
        case Begin.descriptorCode: defaults = [4: .uint(.max)]
        case Attach.descriptorCode: defaults = [3: .ubyte(2), 4: .ubyte(0), 8: .boolean(false)]
        case Source.descriptorCode: defaults = [1: .uint(0), 2: .symbol("session-end"), 3: .uint(0), 4: .boolean(false)]
        case Target.descriptorCode: defaults = [1: .uint(0), 2: .symbol("session-end"), 3: .uint(0), 4: .boolean(false)]
        case Flow.descriptorCode: defaults = [8: .boolean(false), 9: .boolean(false)]
        case Transfer.descriptorCode: defaults = [5: .boolean(false), 8: .boolean(false), 9: .boolean(false), 10: .boolean(false)]
        case Disposition.descriptorCode: defaults = [3: .boolean(false), 5: .boolean(false)]
        case Detach.descriptorCode: defaults = [1: .boolean(false)]
        default: defaults = [:]
        }
        var fields = fields
        for (index, value) in defaults where index < fields.count {
            if fields[index] == value || (fields[index] == .array(AMQPArray(symbols: ["session-end"])) && value == .symbol("session-end")) {
                fields[index] = .null
            }
        }
        return fields
    }

    static func message(from vector: [String: Any]) throws -> AMQPMessage {
        var message = AMQPMessage()
        if let header = vector["header"] as? [String: Any] {
            var fields = MessageHeader()
            fields.durable = header["durable"] as? Bool
            fields.priority = (header["priority"] as? Int).map { UInt8($0) }
            fields.ttl = (header["ttl"] as? Int).map { UInt32($0) }
            fields.firstAcquirer = header["first_acquirer"] as? Bool
            fields.deliveryCount = (header["delivery_count"] as? Int).map { UInt32($0) }
            message.header = fields
        }
        if let properties = vector["properties"] as? [String: Any] {
            func id(_ key: String) throws -> AMQPMessageID? {
                guard let json = properties[key] else { return nil }
                switch try TypedJSON.value(json) {
                case .ulong(let v): return .ulong(v)
                case .uuid(let v): return .uuid(v)
                case .binary(let v): return .binary(v)
                case .string(let v): return .string(v)
                default: throw TypedJSON.Malformed(description: "bad message id")
                }
            }
            func ms(_ key: String) -> AMQPTimestamp? {
                (properties[key] as? Int).map { AMQPTimestamp(millisecondsSince1970: Int64($0)) }
            }
            func text(_ key: String) -> String? { properties[key] as? String }
            var fields = MessageProperties()
            fields.messageID = try id("message_id")
            fields.userID = text("user_id").map(bytes)
            fields.to = text("to")
            fields.subject = text("subject")
            fields.replyTo = text("reply_to")
            fields.correlationID = try id("correlation_id")
            fields.contentType = text("content_type").map { AMQPSymbol($0) }
            fields.contentEncoding = text("content_encoding").map { AMQPSymbol($0) }
            fields.absoluteExpiryTime = ms("absolute_expiry_time")
            fields.creationTime = ms("creation_time")
            fields.groupID = text("group_id")
            fields.groupSequence = (properties["group_sequence"] as? Int).map { UInt32($0) }
            fields.replyToGroupID = text("reply_to_group_id")
            message.properties = fields
        }
        func map(_ key: String) throws -> AMQPMap? {
            guard let json = vector[key], !(json is NSNull) else { return nil }
            guard case .map(let map) = try TypedJSON.value(json) else { throw TypedJSON.Malformed(description: key) }
            return map
        }
        message.deliveryAnnotations = try map("delivery_annotations")
        message.messageAnnotations = try map("message_annotations")
        message.applicationProperties = try map("application_properties")
        message.footer = try map("footer")
        if let body = vector["body"] as? [String: Any] {
            switch body["kind"] as! String {
            case "data": message.body = .data(bytes(body["hex"] as! String))
            case "value": message.body = .value(try TypedJSON.value(body["v"]!))
            default: message.body = .sequence([try (body["v"] as! [Any]).map(TypedJSON.value)])
            }
        }
        return message
    }
}
