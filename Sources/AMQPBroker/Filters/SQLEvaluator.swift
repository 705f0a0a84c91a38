import AMQPCore

/// Evaluates a parsed expression against one message, with SQL's three-valued logic.
///
/// A predicate's value is `.bool(true)`, `.bool(false)` or `.null` (unknown). Anything SQL
/// leaves undefined is unknown rather than an error: a missing property, a comparison of a
/// string with a number, arithmetic on non-numbers or on strings, division by zero,
/// integer overflow. `NOT unknown` is unknown; `unknown AND false` is false;
/// `unknown OR true` is true.
struct SQLEvaluator {
    let input: FilterInput

    func value(of property: SQLProperty) -> FilterValue {
        switch property {
        case .user(let name):
            return input.applicationProperties[name].map(FilterValue.init) ?? .null
        case .system(let system):
            func text(_ value: String?) -> FilterValue { value.map(FilterValue.string) ?? .null }
            switch system {
            case .messageId: return text(input.messageId)
            case .correlationId: return text(input.correlationId)
            case .label: return text(input.label)
            case .to: return text(input.to)
            case .replyTo: return text(input.replyTo)
            case .replyToSessionId: return text(input.replyToSessionId)
            case .sessionId: return text(input.sessionId)
            case .contentType: return text(input.contentType)
            case .sequenceNumber: return input.sequenceNumber.map(FilterValue.long) ?? .null
            case .enqueuedTimeUtc: return input.enqueuedTime.map(FilterValue.init) ?? .null
            case .deliveryCount: return input.deliveryCount.map { .long(Int64($0)) } ?? .null
            case .size: return input.size.map { .long(Int64($0)) } ?? .null
            }
        }
    }

    func exists(_ property: SQLProperty) -> Bool {
        switch property {
        case .user(let name): return input.applicationProperties[name] != nil
        case .system: return !value(of: property).isNull
        }
    }

    /// The truth of a predicate value: nil for unknown (and for anything not boolean).
    static func truth(_ value: FilterValue) -> Bool? {
        if case .bool(let truth) = value { return truth }
        return nil
    }

    static func fromTruth(_ truth: Bool?) -> FilterValue {
        truth.map(FilterValue.bool) ?? .null
    }

    func evaluate(_ expression: SQLExpression) -> FilterValue {
        switch expression {
        case .literal(let value):
            return value
        case .property(let property):
            return value(of: property)
        case .negate(let operand):
            switch evaluate(operand) {
            case .long(let v): return v == .min ? .null : .long(-v)
            case .double(let v): return .double(-v)
            default: return .null
            }
        case .identity(let operand):
            let value = evaluate(operand)
            switch value {
            case .long, .double: return value
            default: return .null
            }
        case .arithmetic(let operation, let left, let right):
            return Self.arithmetic(operation, evaluate(left), evaluate(right))
        case .comparison(let operation, let left, let right):
            return Self.fromTruth(Self.compare(operation, evaluate(left), evaluate(right)))
        case .and(let left, let right):
            let l = Self.truth(evaluate(left))
            if l == false { return .bool(false) }
            let r = Self.truth(evaluate(right))
            if r == false { return .bool(false) }
            return (l == true && r == true) ? .bool(true) : .null
        case .or(let left, let right):
            let l = Self.truth(evaluate(left))
            if l == true { return .bool(true) }
            let r = Self.truth(evaluate(right))
            if r == true { return .bool(true) }
            return (l == false && r == false) ? .bool(false) : .null
        case .not(let operand):
            return Self.fromTruth(Self.truth(evaluate(operand)).map { !$0 })
        case .in(let operand, let items):
            let value = evaluate(operand)
            if value.isNull { return .null }
            var sawUnknown = false
            for item in items {
                switch FilterValue.equals(value, evaluate(item)) {
                case true?: return .bool(true)
                case false?: continue
                case nil: sawUnknown = true
                }
            }
            return sawUnknown ? .null : .bool(false)
        case .like(let operand, let pattern):
            guard case .string(let text) = evaluate(operand) else { return .null }
            return .bool(pattern.matches(text))
        case .isNull(let operand):
            return .bool(evaluate(operand).isNull)
        case .exists(let property):
            return .bool(exists(property))
        }
    }

    static func compare(_ operation: SQLComparisonOperator, _ left: FilterValue, _ right: FilterValue) -> Bool? {
        guard let order = FilterValue.compare(left, right) else { return nil }
        switch operation {
        case .equal: return order == .equal
        case .notEqual: return order != .equal
        case .less: return order == .unordered ? nil : order == .less
        case .lessOrEqual: return order == .unordered ? nil : order != .greater
        case .greater: return order == .unordered ? nil : order == .greater
        case .greaterOrEqual: return order == .unordered ? nil : order != .less
        }
    }

    /// Integer arithmetic stays in 64 bits (overflow and division by zero are unknown);
    /// with a double on either side the other widens to double.
    static func arithmetic(_ operation: SQLArithmeticOperator, _ left: FilterValue, _ right: FilterValue) -> FilterValue {
        switch (left, right) {
        case (.long(let a), .long(let b)):
            let result: (partialValue: Int64, overflow: Bool)
            switch operation {
            case .add: result = a.addingReportingOverflow(b)
            case .subtract: result = a.subtractingReportingOverflow(b)
            case .multiply: result = a.multipliedReportingOverflow(by: b)
            case .divide:
                guard b != 0 else { return .null }
                result = a.dividedReportingOverflow(by: b)
            case .remainder:
                guard b != 0 else { return .null }
                result = a.remainderReportingOverflow(dividingBy: b)
            }
            return result.overflow ? .null : .long(result.partialValue)
        case (.long(let a), .double(let b)): return doubleArithmetic(operation, Double(a), b)
        case (.double(let a), .long(let b)): return doubleArithmetic(operation, a, Double(b))
        case (.double(let a), .double(let b)): return doubleArithmetic(operation, a, b)
        default: return .null
        }
    }

    static func doubleArithmetic(_ operation: SQLArithmeticOperator, _ a: Double, _ b: Double) -> FilterValue {
        let result: Double
        switch operation {
        case .add: result = a + b
        case .subtract: result = a - b
        case .multiply: result = a * b
        case .divide:
            guard b != 0 else { return .null }
            result = a / b
        case .remainder:
            guard b != 0 else { return .null }
            result = a.truncatingRemainder(dividingBy: b)
        }
        return result.isNaN ? .null : .double(result)
    }
}
