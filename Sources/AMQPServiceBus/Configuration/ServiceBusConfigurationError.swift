/// A connection string, SAS token or setting that cannot be used.
///
/// `description` names the problem and the connection-string key involved, never a value:
/// a malformed string may carry a key or signature in any segment.
public struct ServiceBusConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case emptyConnectionString = "the connection string is empty"
            case malformedSegment = "a connection string segment is not key=value"
            case duplicateKey = "a connection string key appears twice"
            case missingEndpoint = "the connection string has no Endpoint"
            case invalidEndpoint = "the Endpoint is not scheme://host[:port][/]"
            case missingKey = "SharedAccessKeyName is given without SharedAccessKey"
            case missingKeyName = "SharedAccessKey is given without SharedAccessKeyName"
            case conflictingCredentials = "both SharedAccessKey and SharedAccessSignature are given"
            case missingCredentials = "neither SharedAccessKey nor SharedAccessSignature is given"
            case invalidEmulatorFlag = "UseDevelopmentEmulator is neither true nor false"
            case invalidEntityPath = "the entity path is empty or malformed"
            case invalidSignature = "the shared access signature is malformed"
            case invalidTimeToLive = "the token time-to-live is not positive"
        }

        let base: Base
        init(_ base: Base) { self.base = base }

        public static let emptyConnectionString = Code(.emptyConnectionString)
        /// A non-empty segment without `=`.
        public static let malformedSegment = Code(.malformedSegment)
        /// The same key (compared case-insensitively) is given twice.
        public static let duplicateKey = Code(.duplicateKey)
        public static let missingEndpoint = Code(.missingEndpoint)
        public static let invalidEndpoint = Code(.invalidEndpoint)
        public static let missingKey = Code(.missingKey)
        public static let missingKeyName = Code(.missingKeyName)
        public static let conflictingCredentials = Code(.conflictingCredentials)
        public static let missingCredentials = Code(.missingCredentials)
        public static let invalidEmulatorFlag = Code(.invalidEmulatorFlag)
        public static let invalidEntityPath = Code(.invalidEntityPath)
        /// A `SharedAccessSignature …` without `sr`, `sig` or a numeric `se`.
        public static let invalidSignature = Code(.invalidSignature)
        public static let invalidTimeToLive = Code(.invalidTimeToLive)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The connection-string key involved (`Endpoint`, `SharedAccessKey`, …): a name, never
    /// its value.
    public var key: String?
    /// For `malformedSegment`: the 0-based index of the `;`-separated segment.
    public var segmentIndex: Int?

    public init(code: Code, key: String? = nil, segmentIndex: Int? = nil) {
        self.code = code
        self.key = key
        self.segmentIndex = segmentIndex
    }

    public var description: String {
        var text = code.description
        if let key { text += " (key \(key))" }
        if let segmentIndex { text += " (segment \(segmentIndex))" }
        return text
    }
}
