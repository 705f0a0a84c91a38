import NIOCore

/// A received message, validated once and decoded lazily (spec 3.2).
///
/// Creating a view walks the sections, checks their order and declared sizes, and records
/// where each one lies; nothing else is decoded. Each section is decoded when asked for.
/// `data` bodies are slices that share storage with the input (usually the received frame).
public struct AMQPMessageView: Sendable {
    /// The whole encoded message.
    public let bytes: ByteBuffer
    public let limits: AMQPDecodingLimits

    /// The kind of body sections present.
    public enum BodyKind: Hashable, Sendable {
        case none, data, sequence, value
    }

    public private(set) var bodyKind: BodyKind = .none
    /// How many body sections there are.
    public private(set) var bodySectionCount = 0

    /// Offsets into `bytes`' readable region, [start, end): a small trivial value, so that
    /// the view stays small and copying it costs no reference counting.
    struct Span: Sendable {
        var start: UInt32
        var end: UInt32
        init(_ range: Range<Int>) {
            start = UInt32(truncatingIfNeeded: range.lowerBound)
            end = UInt32(truncatingIfNeeded: range.upperBound)
        }
        var range: Range<Int> { Int(start)..<Int(end) }
    }

    // Where the whole sections lie.
    private var headerRange: Span?
    private var deliveryAnnotationsRange: Span?
    private var messageAnnotationsRange: Span?
    private var propertiesRange: Span?
    private var applicationPropertiesRange: Span?
    private var bodySections: Span?
    private var footerRange: Span?
    // The single data section's bytes, when the body is exactly one data section.
    private var dataPayload: Span?

    /// Validates the section structure of `bytes`.
    public init(decoding bytes: ByteBuffer, limits: AMQPDecodingLimits = .default) throws(AMQPDecodingError) {
        guard bytes.readableBytes <= Int(UInt32.max) else {
            throw AMQPDecodingError(code: .sizeExceedsInput, offset: 0, detail: "messages are limited to 4 GiB")
        }
        self.bytes = bytes
        self.limits = limits
        var decoder = AMQPDecoder(buffer: bytes, limits: limits)
        var lastRank = -1
        while !decoder.isAtEnd {
            let start = decoder.offset
            let constructor = try decoder.readByte()
            guard constructor == FormatCode.described else {
                throw decoder.error(.invalidSection, at: start, detail: "a section starts with 0x00, found \(formatCodeText(constructor))")
            }
            let code = try decoder.readDescriptorCode()
            let rank = AMQPMessageView.rank(of: code)
            guard let rank else {
                throw decoder.error(.invalidSection, at: start, detail: "descriptor \(AMQPDescriptorNames.describe(code))")
            }
            let repeatable = code == AMQPSectionCode.data || code == AMQPSectionCode.amqpSequence
            guard rank > lastRank || (rank == lastRank && repeatable) else {
                throw decoder.error(.invalidSection, at: start,
                                    detail: "\(AMQPDescriptorNames.describe(code)) out of order or repeated")
            }
            if rank == AMQPMessageView.bodyRank, lastRank == rank, AMQPMessageView.kind(of: code) != bodyKind {
                throw decoder.error(.invalidSection, at: start, detail: "body mixes section kinds")
            }
            lastRank = rank
            let valueStart = decoder.offset
            let valueCode = try decoder.peekByte()
            guard AMQPMessageView.accepts(code: code, valueCode: valueCode) else {
                throw AMQPDecodingError(code: .invalidFieldType, offset: valueStart,
                                        typeName: AMQPDescriptorNames.specName(for: code),
                                        detail: "section holds \(formatCodeText(valueCode))")
            }
            if code == AMQPSectionCode.data {
                _ = try decoder.readByte()
                let length = try decoder.readVariableLength(code: valueCode)
                let payloadStart = decoder.offset
                _ = try decoder.readSlice(length: length)
                dataPayload = bodySectionCount == 0 ? Span(payloadStart..<decoder.offset) : nil
            } else {
                try decoder.skipValue()
            }
            let range = Span(start..<decoder.offset)
            switch code {
            case AMQPSectionCode.header: headerRange = range
            case AMQPSectionCode.deliveryAnnotations: deliveryAnnotationsRange = range
            case AMQPSectionCode.messageAnnotations: messageAnnotationsRange = range
            case AMQPSectionCode.properties: propertiesRange = range
            case AMQPSectionCode.applicationProperties: applicationPropertiesRange = range
            case AMQPSectionCode.footer: footerRange = range
            default:
                bodyKind = AMQPMessageView.kind(of: code)
                bodySections = Span((bodySections.map { Int($0.start) } ?? start)..<decoder.offset)
                bodySectionCount += 1
            }
        }
    }

    private static let bodyRank = 5

    private static func rank(of code: UInt64) -> Int? {
        switch code {
        case AMQPSectionCode.header: return 0
        case AMQPSectionCode.deliveryAnnotations: return 1
        case AMQPSectionCode.messageAnnotations: return 2
        case AMQPSectionCode.properties: return 3
        case AMQPSectionCode.applicationProperties: return 4
        case AMQPSectionCode.data, AMQPSectionCode.amqpSequence, AMQPSectionCode.amqpValue: return bodyRank
        case AMQPSectionCode.footer: return 6
        default: return nil
        }
    }

    private static func kind(of code: UInt64) -> BodyKind {
        switch code {
        case AMQPSectionCode.data: return .data
        case AMQPSectionCode.amqpSequence: return .sequence
        default: return .value
        }
    }

    /// Whether a section with descriptor `code` may hold a value starting with `valueCode`.
    private static func accepts(code: UInt64, valueCode: UInt8) -> Bool {
        switch code {
        case AMQPSectionCode.header, AMQPSectionCode.properties, AMQPSectionCode.amqpSequence:
            return valueCode == 0x45 || valueCode == 0xC0 || valueCode == 0xD0
        case AMQPSectionCode.data:
            return valueCode == 0xA0 || valueCode == 0xB0
        case AMQPSectionCode.amqpValue:
            return true
        default:
            return valueCode == 0xC1 || valueCode == 0xD1
        }
    }

    private func slice(_ span: Span) -> ByteBuffer { slice(span.range) }

    private func slice(_ range: Range<Int>) -> ByteBuffer {
        bytes.getSlice(at: bytes.readerIndex + range.lowerBound, length: range.count)!
    }

    /// A decoder positioned after the section's descriptor.
    private func sectionDecoder(_ span: Span) -> AMQPDecoder {
        let range = span.range
        var decoder = AMQPDecoder(buffer: slice(range), limits: limits, baseOffset: range.lowerBound)
        // Validated in init: 0x00 and a descriptor.
        _ = try? decoder.readByte()
        _ = try? decoder.readDescriptorCode()
        return decoder
    }

    private func decodeMap(_ range: Span?) throws(AMQPDecodingError) -> AMQPMap? {
        guard let range else { return nil }
        var decoder = sectionDecoder(range)
        return try AMQPMap.readAMQP(code: try decoder.readByte(), from: &decoder)
    }

    // MARK: Sections

    public func header() throws(AMQPDecodingError) -> MessageHeader? {
        guard let range = headerRange else { return nil }
        var decoder = sectionDecoder(range)
        return try MessageHeader.readBody(from: &decoder)
    }

    public func deliveryAnnotations() throws(AMQPDecodingError) -> AMQPMap? { try decodeMap(deliveryAnnotationsRange) }
    public func messageAnnotations() throws(AMQPDecodingError) -> AMQPMap? { try decodeMap(messageAnnotationsRange) }

    public func properties() throws(AMQPDecodingError) -> MessageProperties? {
        guard let range = propertiesRange else { return nil }
        var decoder = sectionDecoder(range)
        return try MessageProperties.readBody(from: &decoder)
    }

    public func applicationProperties() throws(AMQPDecodingError) -> AMQPMap? {
        try decodeMap(applicationPropertiesRange)
    }

    public func footer() throws(AMQPDecodingError) -> AMQPMap? { try decodeMap(footerRange) }

    /// One application property, found by comparing the encoded keys with `key`'s UTF-8
    /// bytes: no other key or value is decoded, no string is created for a key.
    public func applicationProperty(_ key: String) throws(AMQPDecodingError) -> AMQPValue? {
        guard let span = applicationPropertiesRange else { return nil }
        var decoder = sectionDecoder(span)
        let start = decoder.offset
        let code = try decoder.readByte()
        guard code == 0xC1 || code == 0xD1 else {
            throw AMQPDecodingError(code: .invalidFieldType, offset: start, typeName: "application-properties",
                                    detail: "expected map, found \(formatCodeText(code))")
        }
        var (count, entries) = try decoder.readCompoundHeader(code: code)
        guard count % 2 == 0 else { throw decoder.error(.oddMapCount, at: start, detail: "\(count) elements") }
        let wanted = key.utf8.count
        for _ in 0..<(count / 2) {
            let keyCode = try entries.peekByte()
            if keyCode == 0xA1 || keyCode == 0xB1 {
                _ = try entries.readByte()
                let length = try entries.readVariableLength(code: keyCode)
                try entries.require(length)
                let matches = length == wanted && key.utf8.elementsEqual(entries.rawBytes(length: length))
                entries.position += length
                if matches { return try entries.readValue() }
            } else {
                try entries.skipValue()
            }
            try entries.skipValue()
        }
        return nil
    }

    /// The bytes of the body when it is exactly one `data` section: a slice of `bytes`.
    public var data: ByteBuffer? {
        guard bodyKind == .data, bodySectionCount == 1, let dataPayload else { return nil }
        return slice(dataPayload)
    }

    /// Decodes the body sections.
    public func body() throws(AMQPDecodingError) -> AMQPMessage.Body {
        guard let bodySections else { return .none }
        var decoder = AMQPDecoder(buffer: slice(bodySections), limits: limits, baseOffset: Int(bodySections.start))
        var datas: [ByteBuffer] = []
        var lists: [[AMQPValue]] = []
        while !decoder.isAtEnd {
            _ = try decoder.readByte()
            _ = try decoder.readDescriptorCode()
            switch bodyKind {
            case .data: datas.append(try ByteBuffer.readAMQP(code: try decoder.readByte(), from: &decoder))
            case .sequence:
                guard case .list(let list) = try decoder.readValue() else { preconditionFailure("validated in init") }
                lists.append(list)
            case .value: return .value(try AMQPValue.readAMQP(code: try decoder.readByte(), from: &decoder))
            case .none: return .none
            }
        }
        switch bodyKind {
        case .data: return datas.count == 1 ? .data(datas[0]) : .dataSections(datas)
        case .sequence: return .sequence(lists)
        default: return .none
        }
    }

    /// The bare message (spec 3.2): properties, application-properties and body, exactly as
    /// received, for forwarding unchanged.
    public var bareMessage: ByteBuffer {
        let start = propertiesRange?.start ?? applicationPropertiesRange?.start ?? bodySections?.start
        let end = bodySections?.end ?? applicationPropertiesRange?.end ?? propertiesRange?.end
        guard let start, let end else { return ByteBuffer() }
        return slice(Int(start)..<Int(end))
    }

    /// Decodes every section.
    public func decodeMessage() throws(AMQPDecodingError) -> AMQPMessage {
        AMQPMessage(
            header: try header(),
            deliveryAnnotations: try deliveryAnnotations(),
            messageAnnotations: try messageAnnotations(),
            properties: try properties(),
            applicationProperties: try applicationProperties(),
            body: try body(),
            footer: try footer()
        )
    }
}
