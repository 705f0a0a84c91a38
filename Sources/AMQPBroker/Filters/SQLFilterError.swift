/// Why a SQL filter or rule action expression was refused.
///
/// Filter expressions are configuration, not secrets, so the description quotes what it
/// found. ``offset`` counts Unicode scalars from the start of the expression.
public struct SQLFilterError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case syntax, tooLong, tooDeep, unknownSystemProperty, invalidNumber, invalidPattern, notSettable
            case unknownParameter
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The text is not an expression of the supported grammar.
        public static let syntax = Code(.syntax)
        /// Longer than ``SQLFilter/maximumLength`` (1024, as Service Bus).
        public static let tooLong = Code(.tooLong)
        /// Parentheses, `NOT`s and signs nested deeper than ``SQLFilter/maximumDepth``.
        public static let tooDeep = Code(.tooDeep)
        /// A `sys.` name that is not a known system property.
        public static let unknownSystemProperty = Code(.unknownSystemProperty)
        /// A number literal that is out of range (integers are 64-bit) or not finite.
        public static let invalidNumber = Code(.invalidNumber)
        /// A `LIKE` pattern or `ESCAPE` character that cannot be used.
        public static let invalidPattern = Code(.invalidPattern)
        /// A rule action sets or removes a system property that cannot be changed.
        public static let notSettable = Code(.notSettable)
        /// An `@name` parameter with no value given.
        public static let unknownParameter = Code(.unknownParameter)

        public var description: String {
            switch base {
            case .syntax: return "syntax"
            case .tooLong: return "tooLong"
            case .tooDeep: return "tooDeep"
            case .unknownSystemProperty: return "unknownSystemProperty"
            case .invalidNumber: return "invalidNumber"
            case .invalidPattern: return "invalidPattern"
            case .notSettable: return "notSettable"
            case .unknownParameter: return "unknownParameter"
            }
        }
    }

    public var code: Code
    /// Where the problem starts, in Unicode scalars from the start of the expression.
    public var offset: Int
    /// What was wrong, for people.
    public var message: String

    public init(code: Code, offset: Int, message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String { "SQLFilterError.\(code) at \(offset): \(message)" }
}
