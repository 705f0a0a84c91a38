/// An `Encoder` writing one value into `box`.
struct PayloadEncoder: Encoder {
    let box: PayloadNodeBox
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: PayloadObjectNode
        if case .object(let existing) = box.node {
            object = existing
        } else {
            object = PayloadObjectNode()
            box.node = .object(object)
        }
        return KeyedEncodingContainer(PayloadKeyedEncodingContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: PayloadArrayNode
        if case .array(let existing) = box.node {
            array = existing
        } else {
            array = PayloadArrayNode()
            box.node = .array(array)
        }
        return PayloadUnkeyedEncodingContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    /// What `value` encodes as, at `path`.
    static func node<T: Encodable>(_ value: T, at path: [any CodingKey]) throws -> PayloadNode {
        let box = PayloadNodeBox()
        try value.encode(to: PayloadEncoder(box: box, codingPath: path))
        return box.node ?? .object(PayloadObjectNode())
    }

    static func number<T: BinaryFloatingPoint & CustomStringConvertible>(_ value: T, at path: [any CodingKey]) throws -> PayloadNode {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: path, debugDescription: "JSON has no infinities or NaN"))
        }
        return .number(value.description)
    }
}

extension PayloadEncoder: SingleValueEncodingContainer {
    func encodeNil() { box.node = .null }
    func encode(_ value: Bool) { box.node = .bool(value) }
    func encode(_ value: String) { box.node = .string(value) }
    func encode(_ value: Double) throws { box.node = try PayloadEncoder.number(value, at: codingPath) }
    func encode(_ value: Float) throws { box.node = try PayloadEncoder.number(value, at: codingPath) }
    func encode(_ value: Int) { box.node = .number(String(value)) }
    func encode(_ value: Int8) { box.node = .number(String(value)) }
    func encode(_ value: Int16) { box.node = .number(String(value)) }
    func encode(_ value: Int32) { box.node = .number(String(value)) }
    func encode(_ value: Int64) { box.node = .number(String(value)) }
    func encode(_ value: UInt) { box.node = .number(String(value)) }
    func encode(_ value: UInt8) { box.node = .number(String(value)) }
    func encode(_ value: UInt16) { box.node = .number(String(value)) }
    func encode(_ value: UInt32) { box.node = .number(String(value)) }
    func encode(_ value: UInt64) { box.node = .number(String(value)) }
    func encode<T: Encodable>(_ value: T) throws { box.node = try PayloadEncoder.node(value, at: codingPath) }
}

struct PayloadKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: PayloadObjectNode
    let codingPath: [any CodingKey]

    func encodeNil(forKey key: Key) { object.set(key.stringValue, .null) }
    func encode(_ value: Bool, forKey key: Key) { object.set(key.stringValue, .bool(value)) }
    func encode(_ value: String, forKey key: Key) { object.set(key.stringValue, .string(value)) }
    func encode(_ value: Double, forKey key: Key) throws { object.set(key.stringValue, try PayloadEncoder.number(value, at: codingPath + [key])) }
    func encode(_ value: Float, forKey key: Key) throws { object.set(key.stringValue, try PayloadEncoder.number(value, at: codingPath + [key])) }
    func encode(_ value: Int, forKey key: Key) { object.set(key.stringValue, .number(String(value))) }
    func encode(_ value: Int8, forKey key: Key) { object.set(key.stringValue, .number(String(value))) }
    func encode(_ value: Int16, forKey key: Key) { object.set(key.stringValue, .number(String(value))) }
    func encode(_ value: Int32, forKey key: Key) { object.set(key.stringValue, .number(String(value))) }
    func encode(_ value: Int64, forKey key: Key) { object.set(key.stringValue, .number(String(value))) }
    func encode(_ value: UInt, forKey key: Key) { object.set(key.stringValue, .number(String(value))) }
    func encode(_ value: UInt8, forKey key: Key) { object.set(key.stringValue, .number(String(value))) }
    func encode(_ value: UInt16, forKey key: Key) { object.set(key.stringValue, .number(String(value))) }
    func encode(_ value: UInt32, forKey key: Key) { object.set(key.stringValue, .number(String(value))) }
    func encode(_ value: UInt64, forKey key: Key) { object.set(key.stringValue, .number(String(value))) }
    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.set(key.stringValue, try PayloadEncoder.node(value, at: codingPath + [key]))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let box = PayloadNodeBox()
        let container = PayloadEncoder(box: box, codingPath: codingPath + [key]).container(keyedBy: type)
        object.set(key.stringValue, box.node!)
        return container
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let box = PayloadNodeBox()
        let container = PayloadEncoder(box: box, codingPath: codingPath + [key]).unkeyedContainer()
        object.set(key.stringValue, box.node!)
        return container
    }

    func superEncoder() -> any Encoder { superEncoder(named: PayloadKey.super) }
    func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key) }

    private func superEncoder(named key: any CodingKey) -> any Encoder {
        let box = PayloadNodeBox()
        object.set(key.stringValue, .box(box))
        return PayloadEncoder(box: box, codingPath: codingPath + [key])
    }
}

struct PayloadUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let array: PayloadArrayNode
    let codingPath: [any CodingKey]
    var count: Int { array.items.count }

    private var nextPath: [any CodingKey] { codingPath + [PayloadKey(intValue: count)] }

    func encodeNil() { array.items.append(.null) }
    func encode(_ value: Bool) { array.items.append(.bool(value)) }
    func encode(_ value: String) { array.items.append(.string(value)) }
    func encode(_ value: Double) throws { array.items.append(try PayloadEncoder.number(value, at: nextPath)) }
    func encode(_ value: Float) throws { array.items.append(try PayloadEncoder.number(value, at: nextPath)) }
    func encode(_ value: Int) { array.items.append(.number(String(value))) }
    func encode(_ value: Int8) { array.items.append(.number(String(value))) }
    func encode(_ value: Int16) { array.items.append(.number(String(value))) }
    func encode(_ value: Int32) { array.items.append(.number(String(value))) }
    func encode(_ value: Int64) { array.items.append(.number(String(value))) }
    func encode(_ value: UInt) { array.items.append(.number(String(value))) }
    func encode(_ value: UInt8) { array.items.append(.number(String(value))) }
    func encode(_ value: UInt16) { array.items.append(.number(String(value))) }
    func encode(_ value: UInt32) { array.items.append(.number(String(value))) }
    func encode(_ value: UInt64) { array.items.append(.number(String(value))) }
    func encode<T: Encodable>(_ value: T) throws { array.items.append(try PayloadEncoder.node(value, at: nextPath)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let box = PayloadNodeBox()
        let container = PayloadEncoder(box: box, codingPath: nextPath).container(keyedBy: type)
        array.items.append(box.node!)
        return container
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let box = PayloadNodeBox()
        let container = PayloadEncoder(box: box, codingPath: nextPath).unkeyedContainer()
        array.items.append(box.node!)
        return container
    }

    func superEncoder() -> any Encoder {
        let box = PayloadNodeBox()
        let encoder = PayloadEncoder(box: box, codingPath: nextPath)
        array.items.append(.box(box))
        return encoder
    }
}
