import NIOCore

/// Decodes a `Decodable` event from payload JSON, straight from the bytes: no intermediate
/// tree, strings made only for the values asked for.
///
/// The payload is validated first (strict JSON, as `OctopusEnvelope.validatePayload`), then
/// read: integers must be written as integers and fit their type, floating-point values must
/// be finite, `null` is only a value for optionals. Dates, data and other Foundation types
/// have no special form here: use strings (`AMQPTimestamp(iso8601UTC:)`) in contracts.
public struct OctopusPayloadDecoder: Sendable {
    /// Whether a member the event type does not read is an error (it is ignored otherwise).
    /// An object's members count as read once any container over it reads them; objects no
    /// container was asked for are not checked.
    public var rejectsUnknownMembers: Bool
    public var limits: OctopusEnvelopeLimits

    public init(rejectsUnknownMembers: Bool = false, limits: OctopusEnvelopeLimits = .default) {
        self.rejectsUnknownMembers = rejectsUnknownMembers
        self.limits = limits
    }

    public func decode<T: Decodable>(_ type: T.Type, from payload: ByteBuffer) throws(OctopusEnvelopeError) -> T {
        let object = try OctopusEnvelope.validatePayload(payload, limits: limits)
        let state = PayloadDecodingState(buffer: object, tracksUse: rejectsUnknownMembers)
        let value: T
        do {
            value = try T(from: PayloadDecoder(state: state, offset: 0, codingPath: []))
        } catch let error as DecodingError {
            throw OctopusEnvelopeError(decoding: error)
        } catch {
            throw OctopusEnvelopeError(code: .payloadDecodingFailed, field: EnvelopeField.payload.text,
                                       detail: "\(Swift.type(of: error)) thrown")
        }
        if rejectsUnknownMembers, let (path, name) = state.firstUnreadMember() {
            throw OctopusEnvelopeError(code: .payloadDecodingFailed, field: codingPathText(path + [name]),
                                       detail: "a member \(T.self) does not read")
        }
        return value
    }
}

extension OctopusEnvelopeError {
    /// A decoding error by its coding path, with its own description (the decoder's never
    /// quote values).
    init(decoding error: DecodingError) {
        let context: DecodingError.Context
        var path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            context = c
            path = c.codingPath
        case .keyNotFound(let key, let c):
            context = c
            path = c.codingPath + [key]
        @unknown default:
            self.init(code: .payloadDecodingFailed, field: EnvelopeField.payload.text)
            return
        }
        self.init(code: .payloadDecodingFailed, field: codingPathText(path), detail: context.debugDescription)
    }
}

/// `payload.items[2].sku`.
func codingPathText(_ path: [any CodingKey]) -> String {
    var text = EnvelopeField.payload.text
    for key in path {
        if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue == String(index) {
            text += "[\(index)]"
        } else {
            text += "." + key.stringValue
        }
    }
    return text
}

/// A coding key for array positions and `super`.
struct PayloadKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
    static let `super` = PayloadKey(stringValue: "super")
}

/// What every container of one decode shares: the bytes, and the objects indexed so far.
final class PayloadDecodingState {
    let buffer: ByteBuffer
    let tracksUse: Bool
    /// Objects by the offset of their `{`, indexed when a container first asks.
    private var objects: [Int: PayloadObject] = [:]

    init(buffer: ByteBuffer, tracksUse: Bool) {
        self.buffer = buffer
        self.tracksUse = tracksUse
    }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try buffer.withUnsafeReadableBytes(body)
    }

    func object(at offset: Int, codingPath: [any CodingKey]) throws -> PayloadObject {
        if let object = objects[offset] { return object }
        let object = try withBytes { try PayloadObject(bytes: $0, at: offset, codingPath: codingPath) }
        objects[offset] = object
        return object
    }

    /// The first member of an indexed object that no container read, in document order.
    func firstUnreadMember() -> ([any CodingKey], PayloadKey)? {
        for offset in objects.keys.sorted() {
            let object = objects[offset]!
            if let index = object.used.firstIndex(of: false) {
                return (object.codingPath, PayloadKey(stringValue: withBytes { JSONStrings.decode(object.names[index], in: $0) }))
            }
        }
        return nil
    }
}

/// An object's member names and where their values start.
final class PayloadObject {
    let names: [JSONStringToken]
    let values: [Int]
    var used: [Bool]
    let codingPath: [any CodingKey]
    /// Where the last name was found: members are usually read in the order they are written.
    private var cursor = 0

    init(bytes: UnsafeRawBufferPointer, at offset: Int, codingPath: [any CodingKey]) throws {
        var scanner = JSONScanner(bytes, maxDepth: .max)
        scanner.index = offset
        guard scanner.current == 0x7B else {
            throw DecodingError.typeMismatch([String: Any].self, DecodingError.Context(
                codingPath: codingPath, debugDescription: "expected an object, found \(scanner.current.map(kindName) ?? "nothing")"))
        }
        var names: [JSONStringToken] = []
        var values: [Int] = []
        var keys = JSONKeyStack.disabled
        do {
            scanner.index += 1
            scanner.skipWhitespace()
            while scanner.current == 0x22 {
                names.append(try scanner.scanString())
                scanner.skipWhitespace()
                try scanner.expect(0x3A, "':'")
                scanner.skipWhitespace()
                values.append(scanner.index)
                try scanner.scanValue(depth: 0, keys: &keys)
                scanner.skipWhitespace()
                if scanner.current == 0x2C {
                    scanner.index += 1
                    scanner.skipWhitespace()
                }
            }
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath, debugDescription: "\(error)"))
        }
        self.names = names
        self.values = values
        self.used = Array(repeating: false, count: names.count)
        self.codingPath = codingPath
    }

    /// The member named `name`, if any.
    func index(of name: String, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard !names.isEmpty else { return nil }
        var name = name
        return name.withUTF8 { wanted in
            for step in 0..<names.count {
                let index = (cursor + step) % names.count
                let token = names[index]
                let matches: Bool
                if token.isEscaped {
                    matches = JSONStrings.decode(token, in: bytes).utf8.elementsEqual(wanted)
                } else {
                    matches = token.count == wanted.count
                        && UnsafeRawBufferPointer(rebasing: bytes[token.start..<token.end]).elementsEqual(wanted)
                }
                if matches {
                    cursor = index + 1
                    return index
                }
            }
            return nil
        }
    }
}
