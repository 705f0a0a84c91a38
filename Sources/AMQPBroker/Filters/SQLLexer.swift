/// Splits a filter expression into tokens.
///
/// Works on Unicode scalars; every offset it reports counts them. It never traps: any
/// character it does not know is a ``SQLFilterError/Code-swift.struct/syntax`` error.
struct SQLLexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// All tokens, ending with `.end`.
    static func tokens(of text: String) throws(SQLFilterError) -> [SQLToken] {
        var lexer = SQLLexer(text)
        var tokens: [SQLToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        let index = position + ahead
        return index < scalars.count ? scalars[index] : nil
    }

    private func error(_ message: String, at offset: Int) -> SQLFilterError {
        SQLFilterError(code: .syntax, offset: offset, message: message)
    }

    mutating func next() throws(SQLFilterError) -> SQLToken {
        while let scalar = peek(), scalar.properties.isWhitespace { position += 1 }
        let start = position
        guard let scalar = peek() else { return SQLToken(kind: .end, offset: start) }
        func single(_ kind: SQLToken.Kind, length: Int = 1) -> SQLToken {
            position += length
            return SQLToken(kind: kind, offset: start)
        }
        switch scalar {
        case "(": return single(.leftParenthesis)
        case ")": return single(.rightParenthesis)
        case ",": return single(.comma)
        case ";": return single(.semicolon)
        case "+": return single(.plus)
        case "-": return single(.minus)
        case "*": return single(.star)
        case "/": return single(.slash)
        case "%": return single(.percent)
        case "=": return single(.equal)
        case "!":
            guard peek(1) == "=" else { throw error("'!' must be followed by '='", at: start) }
            return single(.notEqual, length: 2)
        case "<":
            if peek(1) == "=" { return single(.lessOrEqual, length: 2) }
            if peek(1) == ">" { return single(.notEqual, length: 2) }
            return single(.less)
        case ">":
            if peek(1) == "=" { return single(.greaterOrEqual, length: 2) }
            return single(.greater)
        case ".":
            if let following = peek(1), Self.isDigit(following) { return try number(start: start) }
            return single(.dot)
        case "'": return try string(start: start)
        case "@":
            position += 1
            guard let first = peek(), Self.isIdentifierStart(first) else { throw error("'@' must start a parameter name", at: start) }
            while let scalar = peek(), Self.isIdentifierPart(scalar) { position += 1 }
            var name = ""
            name.unicodeScalars.append(contentsOf: scalars[start..<position])
            return SQLToken(kind: .parameter(name), offset: start)
        case "[": return try delimited(start: start)
        default:
            if Self.isDigit(scalar) { return try number(start: start) }
            if Self.isIdentifierStart(scalar) { return identifier(start: start) }
            throw error("unexpected character U+\(String(scalar.value, radix: 16, uppercase: true))", at: start)
        }
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic
    }

    static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || isDigit(scalar)
    }

    private mutating func identifier(start: Int) -> SQLToken {
        while let scalar = peek(), Self.isIdentifierPart(scalar) { position += 1 }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<position])
        if let keyword = SQLKeyword(rawValue: text.lowercased()) {
            return SQLToken(kind: .keyword(keyword, text), offset: start)
        }
        return SQLToken(kind: .identifier(text), offset: start)
    }

    private mutating func string(start: Int) throws(SQLFilterError) -> SQLToken {
        position += 1
        var text = ""
        while true {
            guard let scalar = peek() else { throw error("unterminated string literal", at: start) }
            position += 1
            if scalar == "'" {
                if peek() == "'" {
                    position += 1
                    text.unicodeScalars.append("'")
                    continue
                }
                return SQLToken(kind: .string(text), offset: start)
            }
            text.unicodeScalars.append(scalar)
        }
    }

    private mutating func delimited(start: Int) throws(SQLFilterError) -> SQLToken {
        position += 1
        var text = ""
        while true {
            guard let scalar = peek() else { throw error("unterminated delimited identifier", at: start) }
            position += 1
            if scalar == "]" {
                if peek() == "]" {
                    position += 1
                    text.unicodeScalars.append("]")
                    continue
                }
                guard !text.isEmpty else { throw error("empty delimited identifier", at: start) }
                return SQLToken(kind: .delimitedIdentifier(text), offset: start)
            }
            text.unicodeScalars.append(scalar)
        }
    }

    private mutating func number(start: Int) throws(SQLFilterError) -> SQLToken {
        var isDecimal = false
        while let scalar = peek(), Self.isDigit(scalar) { position += 1 }
        if peek() == "." {
            isDecimal = true
            position += 1
            while let scalar = peek(), Self.isDigit(scalar) { position += 1 }
        }
        if let marker = peek(), marker == "e" || marker == "E" {
            isDecimal = true
            position += 1
            if let sign = peek(), sign == "+" || sign == "-" { position += 1 }
            guard let digit = peek(), Self.isDigit(digit) else { throw error("exponent without digits", at: start) }
            while let scalar = peek(), Self.isDigit(scalar) { position += 1 }
        }
        if let following = peek(), Self.isIdentifierPart(following) || following == "." {
            throw error("malformed number", at: start)
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<position])
        guard isDecimal else { return SQLToken(kind: .integer(text), offset: start) }
        guard let value = Double(text), value.isFinite else {
            throw SQLFilterError(code: .invalidNumber, offset: start, message: "number out of range: \(text)")
        }
        return SQLToken(kind: .decimal(value), offset: start)
    }
}
