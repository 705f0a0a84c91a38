import AMQPCore
import NIOCore

/// A received envelope, validated once and read lazily.
///
/// Creating a view checks the whole envelope — strict JSON (RFC 8259 and I-JSON: UTF-8, no
/// lone surrogates, no repeated member names at any depth), exactly the seven members of spec
/// version 1 in any order, each of its type and form (see `OctopusEnvelope`) — and records
/// where each lies. Nothing is copied: the fields become strings only when read, and
/// `payload` is a slice of `bytes`, which usually is a slice of the received frame.
public struct OctopusEnvelopeView: Sendable {
    /// The whole envelope JSON.
    public let bytes: ByteBuffer
    /// `occurredTimeUtc`, to the millisecond.
    public let occurredTime: AMQPTimestamp
    let layout: Layout

    /// Where a string field's content lies in `bytes`, and how to read it.
    struct Span: Sendable {
        var start: UInt32
        var end: UInt32
        var isEscaped: Bool
        var isASCII: Bool

        init(_ token: JSONStringToken) {
            start = UInt32(truncatingIfNeeded: token.start)
            end = UInt32(truncatingIfNeeded: token.end)
            isEscaped = token.isEscaped
            isASCII = token.isASCII
        }

        var token: JSONStringToken {
            JSONStringToken(start: Int(start), end: Int(end), isEscaped: isEscaped, isASCII: isASCII)
        }
    }

    /// The string fields found so far (a fixed struct: no array per decode).
    struct FoundSpans {
        private var spans: (Span?, Span?, Span?, Span?, Span?, Span?) = (nil, nil, nil, nil, nil, nil)

        subscript(field: EnvelopeField) -> Span? {
            get {
                switch field {
                case .id: return spans.0
                case .source: return spans.1
                case .type: return spans.2
                case .occurredTimeUTC: return spans.3
                case .activityID: return spans.4
                case .specVersion: return spans.5
                case .payload: return nil
                }
            }
            set {
                switch field {
                case .id: spans.0 = newValue
                case .source: spans.1 = newValue
                case .type: spans.2 = newValue
                case .occurredTimeUTC: spans.3 = newValue
                case .activityID: spans.4 = newValue
                case .specVersion: spans.5 = newValue
                case .payload: break
                }
            }
        }
    }

    struct Layout: Sendable {
        var id, source, type, occurredTimeUTC, activityID, specVersion: Span
        var payloadStart, payloadEnd: UInt32
        var occurredTime: Int64
    }

    /// Validates `bytes` as an envelope.
    public init(decoding bytes: ByteBuffer, limits: OctopusEnvelopeLimits = .default) throws(OctopusEnvelopeError) {
        guard bytes.readableBytes <= limits.byteCap else {
            throw OctopusEnvelopeError(code: .tooLarge, detail: "\(bytes.readableBytes) bytes, at most \(limits.byteCap)")
        }
        let result: Result<Layout, OctopusEnvelopeError> = bytes.withUnsafeReadableBytes { raw in
            Result { () throws(OctopusEnvelopeError) in try OctopusEnvelopeView.parse(raw, limits: limits) }
        }
        layout = try result.get()
        occurredTime = AMQPTimestamp(millisecondsSince1970: layout.occurredTime)
        self.bytes = bytes
    }

    // MARK: Fields

    public var id: String { string(layout.id) }
    public var source: String { string(layout.source) }
    public var type: String { string(layout.type) }
    /// `occurredTimeUtc` exactly as sent (`occurredTime` is its value).
    public var occurredTimeUTC: String { string(layout.occurredTimeUTC) }
    /// `activityId`: a W3C traceparent.
    public var activityID: String { string(layout.activityID) }
    public var specVersion: String { string(layout.specVersion) }

    /// `activityId`, parsed.
    public var traceParent: OctopusTraceParent { OctopusTraceParent(activityID)! }

    /// The payload object's bytes, from `{` to `}`: a slice of `bytes`.
    public var payload: ByteBuffer {
        bytes.getSlice(at: bytes.readerIndex + Int(layout.payloadStart),
                       length: Int(layout.payloadEnd - layout.payloadStart))!
    }

    /// Whether the envelope's `type` is `type`, compared as bytes: no string is made.
    public func hasType(_ type: String) -> Bool { equals(layout.type, type) }

    /// Whether the envelope's `id` is `id`, compared as bytes.
    public func hasID(_ id: String) -> Bool { equals(layout.id, id) }

    /// Whether the envelope's `source` is `source`, compared as bytes.
    public func hasSource(_ source: String) -> Bool { equals(layout.source, source) }

    /// The envelope as an owned value (the fields become strings; the payload stays a slice).
    public func envelope() -> OctopusEnvelope {
        OctopusEnvelope(validated: id, source: source, type: type, occurredTimeUTC: occurredTimeUTC,
                        occurredTime: occurredTime, activityID: activityID, specVersion: specVersion,
                        payload: payload)
    }

    private func string(_ span: Span) -> String {
        bytes.withUnsafeReadableBytes { JSONStrings.decode(span.token, in: $0) }
    }

    private func equals(_ span: Span, _ text: String) -> Bool {
        guard !span.isEscaped else { return string(span) == text }
        var text = text
        return text.withUTF8 { equals(span, UnsafeRawBufferPointer($0)) }
    }

    /// Whether a field's value is the UTF-8 `other`.
    func equals(_ span: Span, _ other: UnsafeRawBufferPointer) -> Bool {
        guard !span.isEscaped else {
            var value = string(span)
            return value.withUTF8 { UnsafeRawBufferPointer($0).elementsEqual(other) }
        }
        return bytes.withUnsafeReadableBytes { raw in
            UnsafeRawBufferPointer(rebasing: raw[Int(span.start)..<Int(span.end)]).elementsEqual(other)
        }
    }

    // MARK: Parsing

    private static func parse(_ raw: UnsafeRawBufferPointer, limits: OctopusEnvelopeLimits) throws(OctopusEnvelopeError) -> Layout {
        try JSONKeyStack.with(capacityFor: raw.count) { (keys: inout JSONKeyStack) throws(OctopusEnvelopeError) -> Layout in
            var scanner = JSONScanner(raw, maxDepth: limits.maxDepth)
            scanner.skipWhitespace()
            guard scanner.current == 0x7B else {
                throw OctopusEnvelopeError(code: .notAnObject, offset: scanner.index,
                                           detail: "found \(scanner.current.map(kindName) ?? "nothing")")
            }
            scanner.index += 1
            scanner.skipWhitespace()
            var spans = FoundSpans()
            var payload: Range<Int>?
            if scanner.current == 0x7D {
                scanner.index += 1
            } else {
                try members(&scanner, keys: &keys, spans: &spans, payload: &payload)
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.error(.trailingBytes, at: scanner.index) }
            for field in EnvelopeField.allCases where field == .payload ? payload == nil : spans[field] == nil {
                throw OctopusEnvelopeError(code: .missingField, field: field.text)
            }
            for field in EnvelopeField.allCases where field != .payload && field != .occurredTimeUTC {
                try check(field, spans[field]!, in: raw)
            }
            let time = spans[.occurredTimeUTC]!
            let milliseconds = withValue(of: time, in: raw) { AMQPTimestamp.parseISO8601UTC($0) }
            guard let milliseconds else {
                throw OctopusEnvelopeError(code: .invalidTime, offset: Int(time.start) - 1, field: EnvelopeField.occurredTimeUTC.text)
            }
            return Layout(id: spans[.id]!, source: spans[.source]!, type: spans[.type]!,
                          occurredTimeUTC: spans[.occurredTimeUTC]!, activityID: spans[.activityID]!,
                          specVersion: spans[.specVersion]!,
                          payloadStart: UInt32(payload!.lowerBound), payloadEnd: UInt32(payload!.upperBound),
                          occurredTime: milliseconds)
        }
    }

    /// The members, from the first name to the closing brace.
    private static func members(
        _ scanner: inout JSONScanner, keys: inout JSONKeyStack, spans: inout FoundSpans, payload: inout Range<Int>?
    ) throws(OctopusEnvelopeError) {
        while true {
            guard scanner.current == 0x22 else { throw scanner.unexpected("a member name") }
            let nameStart = scanner.index
            let name = try scanner.scanString()
            guard let field = EnvelopeField.named(name, in: scanner.bytes) else {
                throw OctopusEnvelopeError(code: .unknownField, offset: nameStart,
                                           detail: "\(name.count) bytes; spec version 1 has id, source, type, occurredTimeUtc, activityId, specVersion, payload")
            }
            let seen = field == .payload ? payload != nil : spans[field] != nil
            guard !seen else { throw OctopusEnvelopeError(code: .duplicateKey, offset: nameStart, field: field.text) }
            scanner.skipWhitespace()
            try scanner.expect(0x3A, "':'")
            scanner.skipWhitespace()
            let valueStart = scanner.index
            let expected: UInt8 = field == .payload ? 0x7B : 0x22
            guard let byte = scanner.current else { throw scanner.unexpected("a value") }
            guard byte == expected else {
                throw OctopusEnvelopeError(
                    code: .invalidFieldType, offset: valueStart, field: field.text,
                    detail: "expected \(kindName(expected)), found \(kindName(byte))")
            }
            if field == .payload {
                try scanner.scanObject(depth: 2, keys: &keys)
                payload = valueStart..<scanner.index
            } else {
                spans[field] = Span(try scanner.scanString())
            }
            scanner.skipWhitespace()
            guard let separator = scanner.current, separator == 0x2C || separator == 0x7D else {
                throw scanner.unexpected("',' or '}'")
            }
            scanner.index += 1
            if separator == 0x7D { return }
            scanner.skipWhitespace()
        }
    }

    private static func check(_ field: EnvelopeField, _ span: Span, in raw: UnsafeRawBufferPointer) throws(OctopusEnvelopeError) {
        let problem = withValue(of: span, in: raw) { EnvelopeField.problem(with: field, value: $0) }
        if let (code, detail) = problem {
            throw OctopusEnvelopeError(code: code, offset: Int(span.start) - 1, field: field.text, detail: detail)
        }
    }

    /// Runs `body` over a string field's UTF-8 value (decoded first if it holds escapes).
    private static func withValue<R>(of span: Span, in raw: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard span.isEscaped else { return body(UnsafeRawBufferPointer(rebasing: raw[Int(span.start)..<Int(span.end)])) }
        var value = JSONStrings.decode(span.token, in: raw)
        return value.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}

/// What kind of JSON value starts with `byte`.
func kindName(_ byte: UInt8) -> String {
    switch byte {
    case 0x7B: return "an object"
    case 0x5B: return "an array"
    case 0x22: return "a string"
    case 0x74, 0x66: return "a boolean"
    case 0x6E: return "null"
    case 0x2D, 0x30...0x39: return "a number"
    default: return JSONScanner.describe(byte)
    }
}
