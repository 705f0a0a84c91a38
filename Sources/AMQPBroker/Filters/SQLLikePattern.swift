/// A compiled `LIKE` pattern: `%` matches any run of characters (also none), `_` exactly
/// one; with `ESCAPE 'c'`, `c` makes the character after it literal.
///
/// Characters are Unicode scalars. Matching is case-sensitive and iterative (no recursion,
/// worst case pattern length × text length steps).
struct SQLLikePattern: Sendable, Hashable {
    enum Element: Sendable, Hashable {
        case scalar(Unicode.Scalar)
        case anyOne
        case anyRun
    }

    let elements: [Element]

    /// Compiles `pattern`; throws if the escape character is not exactly one character or
    /// the pattern ends with it. `offset` is where the pattern literal starts, for errors.
    init(pattern: String, escape: String?, offset: Int) throws(SQLFilterError) {
        var escapeScalar: Unicode.Scalar?
        if let escape {
            let scalars = Array(escape.unicodeScalars)
            guard scalars.count == 1 else {
                throw SQLFilterError(code: .invalidPattern, offset: offset, message: "ESCAPE must be a single character")
            }
            escapeScalar = scalars[0]
        }
        var elements: [Element] = []
        var escaping = false
        for scalar in pattern.unicodeScalars {
            if escaping {
                elements.append(.scalar(scalar))
                escaping = false
            } else if scalar == escapeScalar {
                escaping = true
            } else if scalar == "%" {
                if elements.last != .anyRun { elements.append(.anyRun) }
            } else if scalar == "_" {
                elements.append(.anyOne)
            } else {
                elements.append(.scalar(scalar))
            }
        }
        guard !escaping else {
            throw SQLFilterError(code: .invalidPattern, offset: offset, message: "LIKE pattern ends with its escape character")
        }
        self.elements = elements
    }

    /// True if the whole of `text` matches the pattern.
    func matches(_ text: String) -> Bool {
        let text = Array(text.unicodeScalars)
        var t = 0, p = 0
        // Where the last `%` was, and the text position it has been tried with so far.
        var starPattern: Int?
        var starText = 0
        while t < text.count {
            if p < elements.count {
                switch elements[p] {
                case .anyRun:
                    starPattern = p
                    starText = t
                    p += 1
                    continue
                case .anyOne:
                    t += 1
                    p += 1
                    continue
                case .scalar(let scalar) where scalar == text[t]:
                    t += 1
                    p += 1
                    continue
                case .scalar:
                    break
                }
            }
            // Mismatch: let the last `%` swallow one more character, or fail.
            guard let star = starPattern else { return false }
            p = star + 1
            starText += 1
            t = starText
        }
        while p < elements.count, elements[p] == .anyRun { p += 1 }
        return p == elements.count
    }
}
