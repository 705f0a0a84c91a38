/// Why some bytes could not be decoded, and where.
///
/// `offset` counts bytes from the start of the input the caller handed to the decoder
/// (a frame, a message, a file). `typeName`/`fieldName` name the composite and field being
/// decoded when the error arose (e.g. `open` / `container-id`).
public struct AMQPDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case truncated = "input ends inside a value"
            case invalidConstructor = "unknown or misplaced format code"
            case invalidUTF8 = "string is not valid UTF-8"
            case invalidSymbol = "symbol is not ASCII"
            case invalidBoolean = "boolean byte is neither 0 nor 1"
            case invalidCharacter = "char is not a Unicode scalar value"
            case sizeExceedsInput = "declared size exceeds the bytes left"
            case countExceedsSize = "declared element count exceeds what the size can hold"
            case sizeMismatch = "elements do not fill the declared size exactly"
            case countExceedsLimit = "element count exceeds the decoder limit"
            case oddMapCount = "map has an odd number of elements"
            case duplicateMapKey = "map repeats a key"
            case nestingTooDeep = "values nested deeper than the decoder limit"
            case invalidDescriptor = "descriptor is neither a ulong nor a symbol"
            case unexpectedDescriptor = "descriptor does not name an expected type"
            case missingMandatoryField = "mandatory field is missing or null"
            case invalidFieldType = "field has the wrong type"
            case invalidFieldValue = "field value is not allowed"
            case frameTooLarge = "frame size exceeds the maximum frame size"
            case invalidFrameHeader = "frame header is malformed"
            case invalidFrameType = "unknown frame type"
            case invalidProtocolHeader = "protocol header is malformed or unsupported"
            case invalidSection = "message section is unknown or out of order"
            case trailingBytes = "bytes left over after the value"
        }

        let base: Base
        init(_ base: Base) { self.base = base }

        public static let truncated = Code(.truncated)
        public static let invalidConstructor = Code(.invalidConstructor)
        public static let invalidUTF8 = Code(.invalidUTF8)
        public static let invalidSymbol = Code(.invalidSymbol)
        public static let invalidBoolean = Code(.invalidBoolean)
        public static let invalidCharacter = Code(.invalidCharacter)
        public static let sizeExceedsInput = Code(.sizeExceedsInput)
        public static let countExceedsSize = Code(.countExceedsSize)
        public static let sizeMismatch = Code(.sizeMismatch)
        public static let countExceedsLimit = Code(.countExceedsLimit)
        public static let oddMapCount = Code(.oddMapCount)
        public static let duplicateMapKey = Code(.duplicateMapKey)
        public static let nestingTooDeep = Code(.nestingTooDeep)
        public static let invalidDescriptor = Code(.invalidDescriptor)
        public static let unexpectedDescriptor = Code(.unexpectedDescriptor)
        public static let missingMandatoryField = Code(.missingMandatoryField)
        public static let invalidFieldType = Code(.invalidFieldType)
        public static let invalidFieldValue = Code(.invalidFieldValue)
        public static let frameTooLarge = Code(.frameTooLarge)
        public static let invalidFrameHeader = Code(.invalidFrameHeader)
        public static let invalidFrameType = Code(.invalidFrameType)
        public static let invalidProtocolHeader = Code(.invalidProtocolHeader)
        public static let invalidSection = Code(.invalidSection)
        public static let trailingBytes = Code(.trailingBytes)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Byte offset of the problem from the start of the decoded input.
    public var offset: Int
    /// The composite type being decoded (spec name, e.g. `attach`), if any.
    public var typeName: String?
    /// The field of `typeName` being decoded (spec name, e.g. `handle`), if any.
    public var fieldName: String?
    /// Extra detail (a format code, a size); never payload contents.
    public var detail: String?

    public init(code: Code, offset: Int, typeName: String? = nil, fieldName: String? = nil, detail: String? = nil) {
        self.code = code
        self.offset = offset
        self.typeName = typeName
        self.fieldName = fieldName
        self.detail = detail
    }

    public var description: String {
        var text = "\(code) at byte \(offset)"
        if let typeName {
            text += " in \(typeName)"
            if let fieldName { text += ".\(fieldName)" }
        }
        if let detail { text += " (\(detail))" }
        return text
    }

    /// Adds the composite/field context if none is set yet (the innermost context wins).
    @usableFromInline
    func inContext(type: String, field: String?) -> AMQPDecodingError {
        guard typeName == nil else { return self }
        var copy = self
        copy.typeName = type
        copy.fieldName = field
        return copy
    }
}

/// Caps on what a peer can make the decoder do.
public struct AMQPDecodingLimits: Hashable, Sendable {
    /// Maximum nesting of lists, maps, arrays and described values (spec sets none).
    public var maxDepth: Int
    /// Maximum number of array elements that take zero bytes each (an array of `null`,
    /// `true`, `uint0`, `list0`…), in all the arrays of one decode together: their sizes
    /// cannot bound them, so without this a few hundred bytes could expand into millions of
    /// values.
    public var maxZeroWidthElements: Int

    public init(maxDepth: Int = 48, maxZeroWidthElements: Int = 4096) {
        self.maxDepth = maxDepth
        self.maxZeroWidthElements = maxZeroWidthElements
    }

    public static let `default` = AMQPDecodingLimits()
}
