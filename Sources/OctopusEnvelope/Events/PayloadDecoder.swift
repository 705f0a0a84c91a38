/// A `Decoder` positioned on one value of a validated payload.
struct PayloadDecoder: Decoder {
    let state: PayloadDecodingState
    /// Where the value starts (no whitespace before it).
    let offset: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let object = try state.object(at: offset, codingPath: codingPath)
        return KeyedDecodingContainer(PayloadKeyedContainer<Key>(decoder: self, object: object))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try PayloadUnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func child(at offset: Int, key: any CodingKey) -> PayloadDecoder {
        PayloadDecoder(state: state, offset: offset, codingPath: codingPath + [key])
    }

    // MARK: Reading values

    var firstByte: UInt8 { state.withBytes { $0[offset] } }

    func mismatch(_ type: Any.Type, expected: String) -> DecodingError {
        let found = firstByte == 0x6E ? nil : kindName(firstByte)
        guard let found else {
            return DecodingError.valueNotFound(type, DecodingError.Context(codingPath: codingPath, debugDescription: "expected \(expected), found null"))
        }
        return DecodingError.typeMismatch(type, DecodingError.Context(codingPath: codingPath, debugDescription: "expected \(expected), found \(found)"))
    }

    func corrupted(_ description: String) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath, debugDescription: description))
    }

    func readString() throws -> String {
        try state.withBytes { bytes in
            guard bytes[offset] == 0x22 else { throw mismatch(String.self, expected: "a string") }
            var scanner = JSONScanner(bytes, maxDepth: .max)
            scanner.index = offset
            return JSONStrings.decode(try scanner.scanString(), in: bytes)
        }
    }

    func readBool() throws -> Bool {
        switch firstByte {
        case 0x74: return true
        case 0x66: return false
        default: throw mismatch(Bool.self, expected: "a boolean")
        }
    }

    /// The number's text and whether it is an integer.
    private func number(in bytes: UnsafeRawBufferPointer, as type: Any.Type) throws -> (text: Range<Int>, isInteger: Bool) {
        guard bytes[offset] == 0x2D || bytes[offset] &- 0x30 < 10 else { throw mismatch(type, expected: "a number") }
        var scanner = JSONScanner(bytes, maxDepth: .max)
        scanner.index = offset
        let integer = try scanner.scanNumber()
        return (offset..<scanner.index, integer)
    }

    func readInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        try state.withBytes { bytes in
            let (range, integer) = try number(in: bytes, as: type)
            guard integer else { throw corrupted("expected an integer (\(T.self)), found a fraction or exponent") }
            var index = range.lowerBound
            let negative = bytes[index] == 0x2D
            if negative { index += 1 }
            var magnitude: UInt64 = 0
            var overflow = false
            while index < range.upperBound {
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] &- 0x30))
                overflow = overflow || o1 || o2
                magnitude = sum
                index += 1
            }
            let value: T?
            if overflow {
                value = nil
            } else if negative {
                if magnitude == 0 {
                    value = 0
                } else if T.isSigned, magnitude <= UInt64(T.max) + 1 {
                    value = T(truncatingIfNeeded: 0 &- magnitude)
                } else {
                    value = nil
                }
            } else {
                value = T(exactly: magnitude)
            }
            guard let value else { throw corrupted("the number does not fit \(T.self)") }
            return value
        }
    }

    func readFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ type: T.Type) throws -> T {
        try state.withBytes { bytes in
            let (range, _) = try number(in: bytes, as: type)
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            guard let value = T(text), value.isFinite else { throw corrupted("the number does not fit \(T.self)") }
            return value
        }
    }
}

extension PayloadDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { firstByte == 0x6E }
    func decode(_ type: Bool.Type) throws -> Bool { try readBool() }
    func decode(_ type: String.Type) throws -> String { try readString() }
    func decode(_ type: Double.Type) throws -> Double { try readFloatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try readFloatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try readInteger(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try readInteger(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try readInteger(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try readInteger(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try readInteger(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try readInteger(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try readInteger(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try readInteger(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try readInteger(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try readInteger(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }
}

struct PayloadKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: PayloadDecoder
    let object: PayloadObject
    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        decoder.state.withBytes { bytes in object.names.compactMap { Key(stringValue: JSONStrings.decode($0, in: bytes)) } }
    }

    func contains(_ key: Key) -> Bool {
        decoder.state.withBytes { object.index(of: key.stringValue, in: $0) } != nil
    }

    /// The decoder on `key`'s value, marking the member read.
    private func value(_ key: Key) throws -> PayloadDecoder {
        guard let index = decoder.state.withBytes({ object.index(of: key.stringValue, in: $0) }) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "no such member"))
        }
        if decoder.state.tracksUse { object.used[index] = true }
        return decoder.child(at: object.values[index], key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(key).readBool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(key).readString() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key).readFloatingPoint(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(key).readFloatingPoint(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(key).readInteger(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(key).readInteger(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(key).readInteger(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(key).readInteger(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(key).readInteger(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(key).readInteger(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(key).readInteger(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(key).readInteger(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(key).readInteger(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(key).readInteger(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: value(key)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try value(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try value(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        guard let index = decoder.state.withBytes({ object.index(of: PayloadKey.super.stringValue, in: $0) }) else {
            throw DecodingError.keyNotFound(PayloadKey.super, DecodingError.Context(codingPath: codingPath, debugDescription: "no such member"))
        }
        if decoder.state.tracksUse { object.used[index] = true }
        return decoder.child(at: object.values[index], key: PayloadKey.super)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try value(key) }
}

struct PayloadUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: PayloadDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    let count: Int?
    private(set) var currentIndex = 0
    /// Where the current element starts.
    private var cursor: Int

    init(decoder: PayloadDecoder) throws {
        self.decoder = decoder
        guard decoder.firstByte == 0x5B else { throw decoder.mismatch([Any].self, expected: "an array") }
        var elements = 0
        var first = 0
        try decoder.state.withBytes { bytes in
            var scanner = JSONScanner(bytes, maxDepth: .max)
            scanner.index = decoder.offset + 1
            scanner.skipWhitespace()
            first = scanner.index
            var keys = JSONKeyStack.disabled
            while scanner.current != 0x5D, !scanner.isAtEnd {
                try scanner.scanValue(depth: 0, keys: &keys)
                elements += 1
                scanner.skipWhitespace()
                if scanner.current == 0x2C {
                    scanner.index += 1
                    scanner.skipWhitespace()
                }
            }
        }
        count = elements
        cursor = first
    }

    var isAtEnd: Bool { currentIndex >= count! }

    /// The decoder on the current element, moving past it.
    private mutating func next(_ type: Any.Type) throws -> PayloadDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: codingPath + [PayloadKey(intValue: currentIndex)],
                                                                         debugDescription: "the array has \(count!) elements"))
        }
        let element = decoder.child(at: cursor, key: PayloadKey(intValue: currentIndex))
        try decoder.state.withBytes { bytes in
            var scanner = JSONScanner(bytes, maxDepth: .max)
            scanner.index = cursor
            var keys = JSONKeyStack.disabled
            try scanner.scanValue(depth: 0, keys: &keys)
            scanner.skipWhitespace()
            if scanner.current == 0x2C {
                scanner.index += 1
                scanner.skipWhitespace()
            }
            cursor = scanner.index
        }
        currentIndex += 1
        return element
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, decoder.state.withBytes({ $0[cursor] }) == 0x6E else { return false }
        _ = try next(Never.self)
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type).readBool() }
    mutating func decode(_ type: String.Type) throws -> String { try next(type).readString() }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type).readFloatingPoint(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type).readFloatingPoint(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type).readInteger(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type).readInteger(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type).readInteger(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type).readInteger(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type).readInteger(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type).readInteger(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type).readInteger(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type).readInteger(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type).readInteger(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type).readInteger(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next(type)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next([String: Any].self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next([Any].self).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try next(Any.self) }
}
