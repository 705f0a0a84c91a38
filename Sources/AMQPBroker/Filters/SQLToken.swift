/// The reserved words of the filter grammar; matched case-insensitively.
enum SQLKeyword: String, Sendable, Hashable, CaseIterable {
    case and, or, not, `in`, like, escape, `is`, null, exists, `true`, `false`
}

/// One lexical token and where it starts.
struct SQLToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A regular identifier that is not a keyword, as written.
        case identifier(String)
        /// A keyword, with the text as written (a scoped name may be spelt like a keyword).
        case keyword(SQLKeyword, String)
        /// `[name]`, with `]]` unescaped.
        case delimitedIdentifier(String)
        /// `@name`, with the `@`.
        case parameter(String)
        /// `'text'`, with `''` unescaped.
        case string(String)
        /// Decimal digits only; converted by the parser, which knows about a leading minus.
        case integer(String)
        /// A literal with a decimal point or an exponent.
        case decimal(Double)
        case leftParenthesis, rightParenthesis, comma, dot, semicolon
        case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
        case plus, minus, star, slash, percent
        case end
    }

    var kind: Kind
    /// In Unicode scalars from the start of the expression.
    var offset: Int
}
