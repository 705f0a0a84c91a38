/// A configuration file that cannot be used: the JSON path of the bad field and what is wrong,
/// e.g. `UserConfig.Namespaces[0].Queues[2].Properties.LockDuration: "PT1X" is not an ISO 8601 duration`.
public struct BrokerConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable {
            case invalidJSON, missingField, wrongType, invalidValue, duplicateName, unknownEntity, tooLarge
        }
        let base: Base
        /// Not JSON at all.
        public static let invalidJSON = Code(base: .invalidJSON)
        public static let missingField = Code(base: .missingField)
        public static let wrongType = Code(base: .wrongType)
        public static let invalidValue = Code(base: .invalidValue)
        public static let duplicateName = Code(base: .duplicateName)
        /// A forwarding target that names no entity.
        public static let unknownEntity = Code(base: .unknownEntity)
        /// The file or one of its lists exceeds the broker's limits.
        public static let tooLarge = Code(base: .tooLarge)
        public var description: String { "\(base)" }
    }

    public var code: Code
    /// The JSON path, `UserConfig.Namespaces[0].Name`; empty for the whole document.
    public var path: String
    public var detail: String

    public init(code: Code, path: String, detail: String) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    public var description: String { path.isEmpty ? detail : "\(path): \(detail)" }
}
