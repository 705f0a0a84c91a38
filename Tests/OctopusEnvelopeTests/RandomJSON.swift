/// A small deterministic PRNG (SplitMix64) so randomized tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random valid JSON texts, written with every kind of whitespace, escape and number form.
enum RandomJSON {
    static let scalars: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "\u{7F}",
                                           "é", "ß", "系", "\u{FFFD}", "😀", "\u{10FFFF}", "\u{2028}"]

    static func text<G: RandomNumberGenerator>(using generator: inout G, nonEmpty: Bool = false, maxLength: Int = 12) -> String {
        let count = Int.random(in: (nonEmpty ? 1 : 0)...maxLength, using: &generator)
        var text = ""
        for _ in 0..<count { text.unicodeScalars.append(scalars.randomElement(using: &generator)!) }
        return text
    }

    /// `text` as a JSON string, escaping at random where escapes are optional.
    static func quoted<G: RandomNumberGenerator>(_ text: String, using generator: inout G) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += Bool.random(using: &generator) ? "\\n" : "\\u000A"
            case "\t": out += "\\t"
            case "\u{00}"..."\u{1F}": out += "\\u" + hex4(scalar.value)
            default:
                if Int.random(in: 0..<4, using: &generator) == 0 {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += "\\u" + hex4(0xD800 + (v >> 10)) + "\\u" + hex4(0xDC00 + (v & 0x3FF))
                    } else {
                        out += "\\u" + hex4(scalar.value)
                    }
                } else if scalar == "/" && Bool.random(using: &generator) {
                    out += "\\/"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: Bool.random())
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    static func space<G: RandomNumberGenerator>(using generator: inout G) -> String {
        ["", "", "", " ", "\n", "\t", "\r\n  "].randomElement(using: &generator)!
    }

    static func number<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var text = Bool.random(using: &generator) ? "-" : ""
        text += Bool.random(using: &generator) ? "0" : String(UInt64.random(in: 1...UInt64.max, using: &generator))
        if Bool.random(using: &generator) { text += "." + String(UInt32.random(in: 0...999_999, using: &generator)) }
        if Bool.random(using: &generator) {
            text += ["e", "E"].randomElement(using: &generator)! + ["", "+", "-"].randomElement(using: &generator)!
                + String(Int.random(in: 0...400, using: &generator))
        }
        return text
    }

    static func value<G: RandomNumberGenerator>(depth: Int, using generator: inout G) -> String {
        switch Int.random(in: 0..<(depth < 4 ? 8 : 6), using: &generator) {
        case 0: return "true"
        case 1: return "false"
        case 2: return "null"
        case 3: return number(using: &generator)
        case 4, 5: return quoted(text(using: &generator), using: &generator)
        case 6: return object(depth: depth + 1, using: &generator)
        default:
            let items = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                space(using: &generator) + value(depth: depth + 1, using: &generator) + space(using: &generator)
            }
            return "[" + items.joined(separator: ",") + "]"
        }
    }

    /// An object with distinct member names.
    static func object<G: RandomNumberGenerator>(depth: Int, using generator: inout G) -> String {
        var names = Set<String>()
        for _ in 0..<Int.random(in: 0...5, using: &generator) { names.insert(text(using: &generator)) }
        let members = names.sorted().map { name in
            space(using: &generator) + quoted(name, using: &generator) + space(using: &generator) + ":"
                + space(using: &generator) + value(depth: depth, using: &generator) + space(using: &generator)
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}
