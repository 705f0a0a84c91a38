import AMQPCore
import NIOCore

/// Encodes an `Encodable` event as payload JSON: compact, members in the order the type
/// encodes them (a synthesised `Encodable` follows the declaration order), strings escaped
/// only where RFC 8259 requires. The result is always one JSON object.
///
/// Non-finite floating-point values cannot be written (JSON has none); optionals that are nil
/// are left out by synthesised conformances. Encoding one key twice keeps the last value.
public struct OctopusPayloadEncoder: Sendable {
    public init() {}

    /// Appends the payload to `buffer`.
    public func encode<T: Encodable>(_ value: T, into buffer: inout ByteBuffer) throws(OctopusEnvelopeError) {
        let root = PayloadNodeBox()
        do {
            try value.encode(to: PayloadEncoder(box: root, codingPath: []))
        } catch let error as EncodingError {
            guard case .invalidValue(_, let context) = error else {
                throw OctopusEnvelopeError(code: .payloadEncodingFailed, field: EnvelopeField.payload.text)
            }
            throw OctopusEnvelopeError(code: .payloadEncodingFailed, field: codingPathText(context.codingPath),
                                       detail: context.debugDescription)
        } catch {
            throw OctopusEnvelopeError(code: .payloadEncodingFailed, field: EnvelopeField.payload.text,
                                       detail: "\(Swift.type(of: error)) thrown")
        }
        guard let node = root.resolved, case .object = node else {
            throw OctopusEnvelopeError(code: .payloadEncodingFailed, field: EnvelopeField.payload.text,
                                       detail: "a payload is a JSON object; \(T.self) encodes \(root.resolved?.kind ?? "nothing")")
        }
        buffer.writeAMQPRaw { node.write(to: &$0) }
    }

    /// The payload in a new buffer.
    public func encode<T: Encodable>(_ value: T) throws(OctopusEnvelopeError) -> ByteBuffer {
        var buffer = ByteBuffer()
        try encode(value, into: &buffer)
        return buffer
    }
}

/// A value being encoded. Objects and arrays are references so that nested containers
/// handed out earlier keep writing into them.
enum PayloadNode {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case object(PayloadObjectNode)
    case array(PayloadArrayNode)
    /// A value a `superEncoder` writes later.
    case box(PayloadNodeBox)

    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .object: return "an object"
        case .array: return "an array"
        case .box(let box): return box.resolved?.kind ?? "nothing"
        }
    }

    func write(to writer: inout AMQPRawWriter) {
        switch self {
        case .null: writer.ascii("null")
        case .bool(let value): value ? writer.ascii("true") : writer.ascii("false")
        case .number(let text): writer.utf8(of: text)
        case .string(let text): JSONStrings.writeQuoted(text, to: &writer)
        case .object(let object):
            writer.byte(0x7B)
            for (index, name) in object.names.enumerated() {
                if index > 0 { writer.byte(0x2C) }
                JSONStrings.writeQuoted(name, to: &writer)
                writer.byte(0x3A)
                object.values[index].write(to: &writer)
            }
            writer.byte(0x7D)
        case .array(let array):
            writer.byte(0x5B)
            for (index, item) in array.items.enumerated() {
                if index > 0 { writer.byte(0x2C) }
                item.write(to: &writer)
            }
            writer.byte(0x5D)
        case .box(let box):
            // A super encoder nobody wrote to: an empty object, as for any value that
            // encodes nothing.
            (box.resolved ?? .object(PayloadObjectNode())).write(to: &writer)
        }
    }
}

final class PayloadNodeBox {
    var node: PayloadNode?

    var resolved: PayloadNode? {
        guard case .box(let inner) = node else { return node }
        return inner.resolved
    }
}

final class PayloadObjectNode {
    private(set) var names: [String] = []
    private(set) var values: [PayloadNode] = []
    /// Positions by name, once the object is large enough for a linear search to cost.
    private var positions: [String: Int]?

    func set(_ name: String, _ value: PayloadNode) {
        if let index = position(of: name) {
            values[index] = value
            return
        }
        names.append(name)
        values.append(value)
        if positions != nil {
            positions![name] = names.count - 1
        } else if names.count > 16 {
            positions = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        }
    }

    private func position(of name: String) -> Int? {
        if let positions { return positions[name] }
        return names.firstIndex(of: name)
    }
}

final class PayloadArrayNode {
    var items: [PayloadNode] = []
}
