/// A recursive-descent parser for the Service Bus SQL filter subset.
///
/// ```
/// predicate  := or
/// or         := and { OR and }
/// and        := not { AND not }
/// not        := NOT not | test
/// test       := EXISTS ( property )
///             | sum [ compare sum | [NOT] IN ( sum {, sum} ) | [NOT] LIKE 'p' [ESCAPE 'c']
///                   | IS [NOT] NULL ]
/// sum        := product { (+|-) product }
/// product    := unary { (*|/|%) unary }
/// unary      := (+|-) unary | primary
/// primary    := literal | property | ( or )
/// property   := name | [name] | sys.name | user.name
/// ```
/// Operator precedence is SQL's: OR < AND < NOT < comparisons < + - < * / % < signs.
/// Nesting (parentheses, `NOT`, signs) is capped at ``maximumDepth``; recursion follows it.
struct SQLParser {
    static let maximumDepth = 32

    let tokens: [SQLToken]
    var index = 0
    var depth = 0

    /// Values for `@name` parameters, keyed with the `@`.
    let parameters: [String: FilterValue]

    init(tokens: [SQLToken], parameters: [String: FilterValue] = [:]) {
        self.tokens = tokens
        self.parameters = parameters
    }

    /// A node and the offset where its text starts (for error messages).
    struct Parsed {
        var expression: SQLExpression
        var offset: Int
    }

    /// Parses a whole filter expression; it must be a predicate.
    static func parseFilter(_ text: String, parameters: [String: FilterValue] = [:]) throws(SQLFilterError) -> SQLExpression {
        var parser = SQLParser(tokens: try SQLLexer.tokens(of: text), parameters: parameters)
        let parsed = try parser.parsePredicate()
        try parser.expect(.end, "end of expression")
        return try parser.requirePredicate(parsed)
    }

    // MARK: Token access

    var current: SQLToken { tokens[min(index, tokens.count - 1)] }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    func isKeyword(_ keyword: SQLKeyword, ahead: Int = 0) -> Bool {
        let token = tokens[min(index + ahead, tokens.count - 1)]
        if case .keyword(keyword, _) = token.kind { return true }
        return false
    }

    mutating func accept(_ keyword: SQLKeyword) -> Bool {
        guard isKeyword(keyword) else { return false }
        advance()
        return true
    }

    mutating func expect(_ kind: SQLToken.Kind, _ what: String) throws(SQLFilterError) {
        guard current.kind == kind else { throw syntax("expected \(what)") }
        advance()
    }

    func syntax(_ message: String, at offset: Int? = nil) -> SQLFilterError {
        SQLFilterError(code: .syntax, offset: offset ?? current.offset, message: "\(message), found \(describe(current))")
    }

    private func describe(_ token: SQLToken) -> String {
        switch token.kind {
        case .identifier(let text), .keyword(_, let text), .parameter(let text): return "'\(text)'"
        case .delimitedIdentifier(let text): return "[\(text)]"
        case .string: return "a string"
        case .integer, .decimal: return "a number"
        case .end: return "the end"
        default: return "an operator"
        }
    }

    mutating func nest() throws(SQLFilterError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw SQLFilterError(code: .tooDeep, offset: current.offset,
                                 message: "nested deeper than \(Self.maximumDepth) levels")
        }
    }

    func requirePredicate(_ parsed: Parsed) throws(SQLFilterError) -> SQLExpression {
        guard parsed.expression.isPredicate else {
            throw SQLFilterError(code: .syntax, offset: parsed.offset, message: "expected a condition, found a value")
        }
        return parsed.expression
    }

    func requireValue(_ parsed: Parsed) throws(SQLFilterError) -> SQLExpression {
        guard parsed.expression.isValue else {
            throw SQLFilterError(code: .syntax, offset: parsed.offset, message: "expected a value, found a condition")
        }
        return parsed.expression
    }

    // MARK: Predicates

    mutating func parsePredicate() throws(SQLFilterError) -> Parsed {
        var left = try parseAnd()
        while accept(.or) {
            let right = try parseAnd()
            left = Parsed(expression: .or(try requirePredicate(left), try requirePredicate(right)), offset: left.offset)
        }
        return left
    }

    mutating func parseAnd() throws(SQLFilterError) -> Parsed {
        var left = try parseNot()
        while accept(.and) {
            let right = try parseNot()
            left = Parsed(expression: .and(try requirePredicate(left), try requirePredicate(right)), offset: left.offset)
        }
        return left
    }

    mutating func parseNot() throws(SQLFilterError) -> Parsed {
        let offset = current.offset
        guard accept(.not) else { return try parseTest() }
        try nest()
        defer { depth -= 1 }
        let operand = try parseNot()
        return Parsed(expression: .not(try requirePredicate(operand)), offset: offset)
    }

    mutating func parseTest() throws(SQLFilterError) -> Parsed {
        let offset = current.offset
        if accept(.exists) {
            try expect(.leftParenthesis, "'(' after EXISTS")
            let property = try parseProperty()
            try expect(.rightParenthesis, "')'")
            return Parsed(expression: .exists(property), offset: offset)
        }
        let left = try parseSum()
        if let comparison = comparisonOperator(current.kind) {
            advance()
            let right = try parseSum()
            let expression = SQLExpression.comparison(comparison, try requireValue(left), try requireValue(right))
            return Parsed(expression: expression, offset: offset)
        }
        let negated = isKeyword(.not) && (isKeyword(.in, ahead: 1) || isKeyword(.like, ahead: 1))
        if negated { advance() }
        if accept(.in) {
            let operand = try requireValue(left)
            try expect(.leftParenthesis, "'(' after IN")
            var items: [SQLExpression] = [try requireValue(try parseSum())]
            while current.kind == .comma {
                advance()
                items.append(try requireValue(try parseSum()))
            }
            try expect(.rightParenthesis, "')' or ','")
            let test = SQLExpression.in(operand, items)
            return Parsed(expression: negated ? .not(test) : test, offset: offset)
        }
        if accept(.like) {
            let operand = try requireValue(left)
            let pattern = try parseLikePattern()
            let test = SQLExpression.like(operand, pattern)
            return Parsed(expression: negated ? .not(test) : test, offset: offset)
        }
        if accept(.is) {
            let operand = try requireValue(left)
            let isNot = accept(.not)
            guard accept(.null) else { throw syntax("expected NULL after IS") }
            let test = SQLExpression.isNull(operand)
            return Parsed(expression: isNot ? .not(test) : test, offset: offset)
        }
        return left
    }

    func comparisonOperator(_ kind: SQLToken.Kind) -> SQLComparisonOperator? {
        switch kind {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessOrEqual: return .lessOrEqual
        case .greater: return .greater
        case .greaterOrEqual: return .greaterOrEqual
        default: return nil
        }
    }

    mutating func parseLikePattern() throws(SQLFilterError) -> SQLLikePattern {
        let offset = current.offset
        guard case .string(let pattern) = current.kind else { throw syntax("expected a string pattern after LIKE") }
        advance()
        var escape: String?
        if accept(.escape) {
            guard case .string(let text) = current.kind else { throw syntax("expected a string after ESCAPE") }
            escape = text
            advance()
        }
        return try SQLLikePattern(pattern: pattern, escape: escape, offset: offset)
    }

    // MARK: Values

    mutating func parseSum() throws(SQLFilterError) -> Parsed {
        var left = try parseProduct()
        while true {
            let operation: SQLArithmeticOperator
            switch current.kind {
            case .plus: operation = .add
            case .minus: operation = .subtract
            default: return left
            }
            advance()
            let right = try parseProduct()
            left = Parsed(expression: .arithmetic(operation, try requireValue(left), try requireValue(right)),
                          offset: left.offset)
        }
    }

    mutating func parseProduct() throws(SQLFilterError) -> Parsed {
        var left = try parseUnary()
        while true {
            let operation: SQLArithmeticOperator
            switch current.kind {
            case .star: operation = .multiply
            case .slash: operation = .divide
            case .percent: operation = .remainder
            default: return left
            }
            advance()
            let right = try parseUnary()
            left = Parsed(expression: .arithmetic(operation, try requireValue(left), try requireValue(right)),
                          offset: left.offset)
        }
    }

    mutating func parseUnary() throws(SQLFilterError) -> Parsed {
        let offset = current.offset
        switch current.kind {
        case .minus:
            advance()
            // `-9223372036854775808` is a literal, although its digits alone are out of range.
            if case .integer(let digits) = current.kind {
                let literalOffset = current.offset
                advance()
                guard let value = Int64("-" + digits) else {
                    throw SQLFilterError(code: .invalidNumber, offset: literalOffset, message: "integer out of range: -\(digits)")
                }
                return Parsed(expression: .literal(.long(value)), offset: offset)
            }
            try nest()
            defer { depth -= 1 }
            let operand = try parseUnary()
            return Parsed(expression: .negate(try requireValue(operand)), offset: offset)
        case .plus:
            advance()
            try nest()
            defer { depth -= 1 }
            let operand = try parseUnary()
            return Parsed(expression: .identity(try requireValue(operand)), offset: offset)
        default:
            return try parsePrimary()
        }
    }

    mutating func parsePrimary() throws(SQLFilterError) -> Parsed {
        let token = current
        switch token.kind {
        case .leftParenthesis:
            advance()
            try nest()
            defer { depth -= 1 }
            let inner = try parsePredicate()
            try expect(.rightParenthesis, "')'")
            return Parsed(expression: inner.expression, offset: token.offset)
        case .string(let text):
            advance()
            return Parsed(expression: .literal(.string(text)), offset: token.offset)
        case .integer(let digits):
            advance()
            guard let value = Int64(digits) else {
                throw SQLFilterError(code: .invalidNumber, offset: token.offset, message: "integer out of range: \(digits)")
            }
            return Parsed(expression: .literal(.long(value)), offset: token.offset)
        case .decimal(let value):
            advance()
            return Parsed(expression: .literal(.double(value)), offset: token.offset)
        case .keyword(.true, _):
            advance()
            return Parsed(expression: .literal(.bool(true)), offset: token.offset)
        case .keyword(.false, _):
            advance()
            return Parsed(expression: .literal(.bool(false)), offset: token.offset)
        case .keyword(.null, _):
            advance()
            return Parsed(expression: .literal(.null), offset: token.offset)
        case .identifier, .delimitedIdentifier:
            return Parsed(expression: .property(try parseProperty()), offset: token.offset)
        case .parameter(let name):
            advance()
            guard let value = parameters[name] else {
                throw SQLFilterError(code: .unknownParameter, offset: token.offset, message: "no value for parameter \(name)")
            }
            return Parsed(expression: .literal(value), offset: token.offset)
        default:
            throw syntax("expected a value")
        }
    }

    /// `name`, `[name]`, `sys.name`, `user.name` (scopes case-insensitive).
    mutating func parseProperty() throws(SQLFilterError) -> SQLProperty {
        let token = current
        switch token.kind {
        case .delimitedIdentifier(let name):
            advance()
            return .user(name)
        case .identifier(let name):
            advance()
            guard current.kind == .dot else {
                if current.kind == .leftParenthesis { throw syntax("functions are not supported") }
                return .user(name)
            }
            let scope = name.lowercased()
            guard scope == "sys" || scope == "user" else {
                throw SQLFilterError(code: .syntax, offset: token.offset, message: "unknown scope '\(name)' (sys or user)")
            }
            advance()
            let nameOffset = current.offset
            let member: String
            switch current.kind {
            case .identifier(let text), .keyword(_, let text), .delimitedIdentifier(let text): member = text
            default: throw syntax("expected a property name after '\(name).'")
            }
            advance()
            if scope == "user" { return .user(member) }
            guard let property = SystemProperty(sqlName: member) else {
                throw SQLFilterError(code: .unknownSystemProperty, offset: nameOffset,
                                     message: "unknown system property sys.\(member)")
            }
            return .system(property)
        default:
            throw syntax("expected a property name")
        }
    }
}
