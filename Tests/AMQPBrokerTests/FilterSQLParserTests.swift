import AMQPCore
import Testing

@testable import AMQPBroker

@Suite("SQL filter parsing")
struct FilterSQLParserTests {
    static func error(_ expression: String) -> SQLFilterError? {
        do {
            _ = try SQLFilter(expression: expression)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("", 0), ("color", 0), ("color =", 7), ("= 1", 0), ("a = 1 AND", 9), ("(a = 1", 6), ("a = 1)", 5),
        ("'open", 0), ("[open", 0), ("[] = 1", 0), ("a ! 1", 2), ("a = 1 b = 2", 6), ("a = 1 = 2", 6),
        ("a IN ()", 6), ("a IN (1,)", 8), ("a IN 1", 5), ("a LIKE b", 7), ("a LIKE 'x' ESCAPE", 17),
        ("a IS 1", 5), ("EXISTS color", 7), ("EXISTS (1)", 8), ("foo.bar = 1", 0), ("newid() = 1", 5),
        ("a = 1 AND 5", 10), ("5 OR a = 1", 0), ("NOT 5", 4), ("(a = 1) + 1 = 2", 0), ("-(a = 1) = 1", 1),
        ("(a = 1) = TRUE", 0), ("a = 1 ; b = 2", 6), ("12abc = 1", 0), ("1e = 1", 0), ("1.2.3 = 1", 0),
        ("a # 1", 2), ("a = \u{0}", 4), ("a = 'x' ESCAPE '!'", 8), ("sys. = 1", 5), ("user.5 = 1", 4),
        ("a NOT = 1", 2), ("a IS NOT 1", 9),
    ] as [(String, Int)])
    func syntaxErrors(expression: String, offset: Int) {
        let error = Self.error(expression)
        #expect(error?.code == .syntax, "\(expression): \(String(describing: error))")
        #expect(error?.offset == offset, "\(expression): \(String(describing: error))")
    }

    @Test func unknownSystemProperty() {
        let error = Self.error("sys.Colour = 'red'")
        #expect(error?.code == .unknownSystemProperty)
        #expect(error?.offset == 4)
        #expect(error?.description.contains("Colour") == true)
    }

    @Test func numbersOutOfRange() {
        #expect(Self.error("a = 9223372036854775808")?.code == .invalidNumber)
        #expect(Self.error("a = -9223372036854775809")?.code == .invalidNumber)
        #expect(Self.error("a = 1e999")?.code == .invalidNumber)
        #expect(Self.error("a = 9223372036854775807") == nil)
        #expect(Self.error("a = -9223372036854775808") == nil)
        #expect(Self.error("a = 5.") == nil)
    }

    @Test func likePatternErrors() {
        #expect(Self.error("a LIKE 'x!' ESCAPE '!'")?.code == .invalidPattern)
        #expect(Self.error("a LIKE 'x' ESCAPE '!!'")?.code == .invalidPattern)
        #expect(Self.error("a LIKE 'x' ESCAPE ''")?.code == .invalidPattern)
        #expect(Self.error("a LIKE '!%!!' ESCAPE '!'") == nil)
    }

    @Test func lengthIsCappedAt1024Characters() {
        let padding = String(repeating: " ", count: 1024 - 3)
        #expect(Self.error("1=1" + padding) == nil)
        let error = Self.error("1=1" + padding + " ")
        #expect(error?.code == .tooLong)
        // Counted in characters, not bytes: 300 three-byte characters fit.
        #expect(Self.error("a = '" + String(repeating: "€", count: 300) + "'") == nil)
    }

    @Test func nestingIsCapped() {
        let depth = SQLFilter.maximumDepth
        let fits = String(repeating: "(", count: depth) + "1=1" + String(repeating: ")", count: depth)
        #expect(Self.error(fits) == nil)
        let deep = String(repeating: "(", count: depth + 1) + "1=1" + String(repeating: ")", count: depth + 1)
        #expect(Self.error(deep)?.code == .tooDeep)
        #expect(Self.error(String(repeating: "NOT ", count: depth + 1) + "1=1")?.code == .tooDeep)
        #expect(Self.error("a = " + String(repeating: "- ", count: depth + 1) + "a")?.code == .tooDeep)
        #expect(Self.error(String(repeating: "NOT ", count: depth) + "1=1") == nil)
    }

    @Test func longFlatChainsAreFine() throws {
        // Not nesting: a left-deep chain as long as the length cap allows.
        let chain = "a = 1" + String(repeating: " OR a=1", count: 145)
        #expect(chain.count <= 1024)
        let filter = try SQLFilter(expression: chain)
        #expect(filter.matches(FilterInput(applicationProperties: ["a": .long(1)])))
        let sum = "1" + String(repeating: "+1", count: 500) + "=501"
        #expect(try SQLFilter(expression: sum).matches(FilterInput()))
    }

    @Test func keywordsAreCaseInsensitive() throws {
        let filter = try SQLFilter(expression: "a iS nOt NuLl aNd b In (1) Or NoT ExIsTs(c) AND d lIkE 'x' EsCaPe '!'")
        #expect(filter.expression.hasPrefix("a iS"))
        #expect(filter.matches(FilterInput(applicationProperties: ["a": .long(0), "b": .long(1)])))
        #expect(try SQLFilter(expression: "TRUE").root == SQLFilter(expression: "true").root)
    }

    @Test func scopedNamesMayBeSpeltLikeKeywords() throws {
        let filter = try SQLFilter(expression: "user.in = 1 AND user.[and] = 2")
        #expect(filter.matches(FilterInput(applicationProperties: ["in": .long(1), "and": .long(2)])))
        #expect(try SQLFilter(expression: "[a]]b] = 1").matches(FilterInput(applicationProperties: ["a]b": .long(1)])))
    }

    @Test func precedence() throws {
        // NOT binds tighter than AND, AND tighter than OR.
        let input = FilterInput(applicationProperties: ["a": .long(1)])
        #expect(try SQLFilter(expression: "a = 1 OR a = 2 AND a = 3").matches(input))
        #expect(try !SQLFilter(expression: "(a = 1 OR a = 2) AND a = 3").matches(input))
        #expect(try SQLFilter(expression: "NOT a = 2 AND a = 1").matches(input))
        #expect(try SQLFilter(expression: "-2 * -3 = 6 AND 7 % 4 * 2 = 6 AND 8 / 2 / 2 = 2").matches(input))
    }

    @Test func parameters() throws {
        let filter = try SQLFilter(expression: "color = @color AND count > @min AND vip = @vip",
                                   parameters: ["@color": "red", "min": .int(3), "@vip": .boolean(true)])
        #expect(filter.matches(FilterInput(applicationProperties: ["color": "red", "count": .long(4), "vip": true])))
        #expect(!filter.matches(FilterInput(applicationProperties: ["color": "red", "count": .long(3), "vip": true])))
        do {
            _ = try SQLFilter(expression: "a = @missing", parameters: ["@other": 1])
            Issue.record("accepted an unknown parameter")
        } catch {
            #expect(error.code == .unknownParameter)
            #expect(error.offset == 4)
        }
        #expect(Self.error("a = @")?.code == .syntax)
        #expect(Self.error("a = @1")?.code == .syntax)
        let action = try SQLRuleAction(expression: "SET sys.Label = @label", parameters: ["label": "routed"])
        #expect(action.applied(to: FilterInput()).label == "routed")
    }

    /// Random strings, and random mutations of valid expressions, never trap; every
    /// refusal is a typed error with an offset inside the text.
    @Test func fuzzNeverTraps() {
        var generator = SplitMix64(seed: 0x5EED_F11E)
        let alphabet = Array("abcsysuser.[]()'!%_=<>+-*/,;0123456789eE ANDORNOTINLIKEESCAPEISNULLEXISTSTRUEFALSE\u{0}é€\t\n")
        let seeds = ["color = 'red' AND count > 5", "sys.Label LIKE 'a!%%' ESCAPE '!'", "NOT (a IN (1, 2.5, 'x'))",
                     "EXISTS([my prop]) OR b IS NOT NULL", "-(1 + 2) * 3 % 4 / 5 >= 6e-1"]
        let input = FilterInput(label: "a%", applicationProperties: ["color": "red", "count": .long(7), "a": .double(1)])
        var accepted = 0
        for round in 0..<6_000 {
            var text: String
            if round % 2 == 0 {
                let length = Int(generator.next() % 60)
                text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            } else {
                var characters = Array(seeds[Int(generator.next() % UInt64(seeds.count))])
                for _ in 0..<(1 + Int(generator.next() % 4)) {
                    let position = Int(generator.next() % UInt64(characters.count + 1))
                    let character = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                    switch generator.next() % 3 {
                    case 0: characters.insert(character, at: position)
                    case 1 where position < characters.count: characters.remove(at: position)
                    default: if position < characters.count { characters[position] = character }
                    }
                }
                text = String(characters)
            }
            do {
                let filter = try SQLFilter(expression: text)
                _ = filter.matches(input)
                _ = filter.matches(FilterInput())
                accepted += 1
            } catch {
                #expect(error.offset >= 0 && error.offset <= text.unicodeScalars.count, "\(text): \(error)")
            }
        }
        #expect(accepted > 100)
    }
}
