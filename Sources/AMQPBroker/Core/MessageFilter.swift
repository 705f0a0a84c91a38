import AMQPCore

enum FilterValues {
    /// Equality of two filter values, numbers by value.
    static func equal(_ a: AMQPValue, _ b: AMQPValue) -> Bool {
        if let x = integer(a), let y = integer(b) { return x == y }
        if let x = number(a), let y = number(b) { return x == y }
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.string(let x), .symbol(let y)): return x == y.rawValue
        case (.symbol(let x), .string(let y)): return x.rawValue == y
        default: return a == b
        }
    }

    static func integer(_ value: AMQPValue) -> Int64? {
        switch value {
        case .byte(let v): return Int64(v)
        case .short(let v): return Int64(v)
        case .int(let v): return Int64(v)
        case .long(let v): return v
        case .ubyte(let v): return Int64(v)
        case .ushort(let v): return Int64(v)
        case .uint(let v): return Int64(v)
        case .ulong(let v): return v <= UInt64(Int64.max) ? Int64(v) : nil
        default: return nil
        }
    }

    static func number(_ value: AMQPValue) -> Double? {
        switch value {
        case .float(let v): return Double(v)
        case .double(let v): return v
        default: return integer(value).map(Double.init)
        }
    }
}

/// Builds a rule's filter from its configuration.
public typealias RuleFilterFactory = @Sendable (RuleConfiguration) throws -> any MessageFilter

/// Why a rule's filter could not be built.
public struct RuleFilterError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        enum Base: Hashable, Sendable { case sqlFiltersUnavailable, invalidFilter }
        let base: Base
        /// No SQL filter factory was supplied.
        public static let sqlFiltersUnavailable = Code(base: .sqlFiltersUnavailable)
        public static let invalidFilter = Code(base: .invalidFilter)
    }

    public var code: Code
    public var rule: String
    public var detail: String

    public init(code: Code, rule: String, detail: String) {
        self.code = code
        self.rule = rule
        self.detail = detail
    }

    public var description: String { "rule \(rule): \(detail)" }
}

public enum RuleFilters {
    /// True and false filters, correlation filters and SQL filters (``SQLFilter``); `sql`, if
    /// given, builds SQL filters instead.
    public static func factory(sql: (@Sendable (RuleConfiguration) throws -> any MessageFilter)? = nil) -> RuleFilterFactory {
        { rule in
            switch rule.filter {
            case .true: return TrueFilter()
            case .false: return FalseFilter()
            case .correlation(let configuration):
                do { return try CorrelationFilter(configuration) } catch {
                    throw RuleFilterError(code: .invalidFilter, rule: rule.name, detail: "\(error)")
                }
            case .sql(let expression):
                if let sql { return try sql(rule) }
                do { return try SQLFilter(expression: expression) } catch {
                    throw RuleFilterError(code: .invalidFilter, rule: rule.name, detail: "\(error)")
                }
            }
        }
    }
}
