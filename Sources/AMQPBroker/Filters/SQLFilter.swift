import AMQPCore

/// A Service Bus SQL filter: a condition over a message's system and user properties.
///
/// The supported subset of the Service Bus SQL filter syntax:
/// - properties: `sys.<name>` for the system properties of ``SystemProperty`` (names
///   case-insensitive; an unknown one is refused when the filter is created), and user
///   properties as `name`, `user.name` or `[any name]` (`]]` escapes `]`). User property
///   names are **case-sensitive**, as AMQP application-properties keys are; `sys` and `user`
///   scopes and keywords are case-insensitive.
/// - literals: `'text'` (`''` escapes `'`), 64-bit integers, doubles (`1.5`, `.5`, `2e3`),
///   `TRUE`, `FALSE`, `NULL`.
/// - operators: `= <> != < <= > >=`, `AND OR NOT`, `IN (…)`, `NOT IN (…)`,
///   `LIKE 'p' [ESCAPE 'c']`, `NOT LIKE`, `IS [NOT] NULL`, `EXISTS(p)`, `+ - * / %` on numbers,
///   unary `-` and `+`, parentheses. `1=1` matches everything and `1=0` nothing.
///
/// Evaluation uses SQL's three-valued logic: a message matches only when the condition is
/// TRUE. Unknown, never an error: a missing property or NULL in a comparison, a string
/// compared with a number, arithmetic on non-numbers, division by zero, integer overflow.
/// `NOT unknown` is unknown, `unknown AND FALSE` is FALSE, `unknown OR TRUE` is TRUE.
/// String comparisons are ordinal and case-sensitive. Integers and doubles compare by value
/// across types (exactly: a long is never rounded to a double); booleans and opaque values
/// (uuid, binary) have only `=` and `<>`; timestamps compare with timestamps.
///
/// `@name` parameters are replaced by their values when the filter is created.
///
/// Expressions are capped at ``maximumLength`` characters and ``maximumDepth`` levels of
/// nesting; no input traps.
public struct SQLFilter: MessageFilter, Hashable {
    /// Service Bus's limit on a SQL filter expression (in characters).
    public static let maximumLength = 1024
    /// How deep parentheses, `NOT`s and signs may nest.
    public static let maximumDepth = SQLParser.maximumDepth

    /// The expression as given.
    public let expression: String
    let root: SQLExpression

    /// Parses `expression`. `parameters` give the values of `@name` placeholders (Service Bus
    /// `SqlRuleFilter.Parameters`), keyed with or without the `@`; a placeholder without a
    /// value is refused with ``SQLFilterError/Code-swift.struct/unknownParameter``.
    public init(expression: String, parameters: [String: AMQPValue] = [:]) throws(SQLFilterError) {
        try Self.checkLength(expression)
        self.expression = expression
        self.root = try SQLParser.parseFilter(expression, parameters: Self.parameterValues(parameters))
    }

    static func parameterValues(_ parameters: [String: AMQPValue]) -> [String: FilterValue] {
        var values: [String: FilterValue] = [:]
        for (name, value) in parameters {
            values[name.hasPrefix("@") ? name : "@" + name] = FilterValue(value)
        }
        return values
    }

    static func checkLength(_ expression: String) throws(SQLFilterError) {
        // The UTF-8 count bounds the scalar count from above; count scalars only when needed.
        if expression.utf8.count > maximumLength, expression.unicodeScalars.count > maximumLength {
            throw SQLFilterError(code: .tooLong, offset: maximumLength,
                                 message: "expression longer than \(maximumLength) characters")
        }
    }

    public func matches(_ input: FilterInput) -> Bool {
        SQLEvaluator(input: input).evaluate(root) == .bool(true)
    }
}
