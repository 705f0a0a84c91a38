import NIOCore

/// Renders AMQP values as readable text: described values of the spec by name with their
/// field names, binaries as hex (truncated past `maxBinaryBytes`), strings quoted.
public struct AMQPFormatter: Sendable {
    /// Binary and string contents longer than this are cut, with the total length shown.
    public var maxBinaryBytes: Int
    public var indent: String

    public init(maxBinaryBytes: Int = 64, indent: String = "  ") {
        self.maxBinaryBytes = maxBinaryBytes
        self.indent = indent
    }

    /// The value as lines of text, each prefixed with `level` indents.
    public func lines(_ value: AMQPValue, level: Int = 0) -> [String] {
        var out: [String] = []
        append(value, label: nil, level: level, to: &out)
        return out
    }

    public func format(_ value: AMQPValue, level: Int = 0) -> String {
        lines(value, level: level).joined(separator: "\n")
    }

    private func pad(_ level: Int) -> String { String(repeating: indent, count: level) }

    private func append(_ value: AMQPValue, label: String?, level: Int, to out: inout [String]) {
        let prefix = pad(level) + (label.map { "\($0): " } ?? "")
        switch value {
        case .list(let elements) where !elements.isEmpty:
            out.append(prefix + "list(\(elements.count))")
            for element in elements { append(element, label: nil, level: level + 1, to: &out) }
        case .map(let map) where !map.isEmpty:
            out.append(prefix + "map(\(map.count))")
            for entry in map.entries {
                append(entry.value, label: inline(entry.key), level: level + 1, to: &out)
            }
        case .array(let array) where !array.isEmpty && !isScalar(array.elementType.underlying):
            out.append(prefix + "array<\(array.elementType)>(\(array.count))")
            for element in array.elements { append(element, label: nil, level: level + 1, to: &out) }
        case .described(let described):
            appendDescribed(described, prefix: prefix, level: level, to: &out)
        default:
            out.append(prefix + inline(value))
        }
    }

    private func appendDescribed(_ described: AMQPDescribed, prefix: String, level: Int, to out: inout [String]) {
        let code: UInt64?
        switch described.descriptor {
        case .ulong(let value): code = value
        case .symbol(let symbol): code = AMQPDescriptorNames.code(for: symbol)
        default: code = nil
        }
        guard let code, let name = AMQPDescriptorNames.specName(for: code) else {
            out.append(prefix + "described \(inline(described.descriptor))")
            append(described.value, label: nil, level: level + 1, to: &out)
            return
        }
        if let fields = AMQPDescriptorNames.fieldNames(for: code), case .list(let values) = described.value {
            out.append(prefix + name)
            for (index, value) in values.enumerated() where !value.isNull {
                let field = index < fields.count ? fields[index] : "field \(index)"
                if let choice = AMQPDescriptorNames.choiceName(for: code, field: index, value: value) {
                    out.append(pad(level + 1) + "\(field): \(choice)")
                } else {
                    append(value, label: field, level: level + 1, to: &out)
                }
            }
            return
        }
        if case .binary(let bytes) = described.value {
            out.append(prefix + name + " " + binary(bytes))
            return
        }
        out.append(prefix + name)
        append(described.value, label: nil, level: level + 1, to: &out)
    }

    private func isScalar(_ type: AMQPPrimitiveType) -> Bool {
        type != .list && type != .map && type != .array
    }

    /// A one-line rendering.
    public func inline(_ value: AMQPValue) -> String {
        switch value {
        case .null: return "null"
        case .boolean(let v): return String(v)
        case .ubyte(let v): return "\(v) (ubyte)"
        case .ushort(let v): return "\(v) (ushort)"
        case .uint(let v): return "\(v)"
        case .ulong(let v): return "\(v) (ulong)"
        case .byte(let v): return "\(v) (byte)"
        case .short(let v): return "\(v) (short)"
        case .int(let v): return "\(v) (int)"
        case .long(let v): return "\(v) (long)"
        case .float(let v): return "\(v) (float)"
        case .double(let v): return "\(v) (double)"
        case .decimal32(let v): return "decimal32 0x" + String(v.bitPattern, radix: 16)
        case .decimal64(let v): return "decimal64 0x" + String(v.bitPattern, radix: 16)
        case .decimal128(let v): return "decimal128 0x" + hexString(v.high) + hexString(v.low)
        case .char(let v): return "'\(v.escaped(asASCII: false))' (char)"
        case .timestamp(let v): return "\(v.millisecondsSince1970) (timestamp, ms)"
        case .uuid(let v): return v.uuidString + " (uuid)"
        case .binary(let v): return binary(v)
        case .string(let v): return quoted(v)
        case .symbol(let v): return ":" + v.rawValue
        case .list(let v): return "[" + v.map(inline).joined(separator: ", ") + "]"
        case .map(let v): return "{" + v.entries.map { inline($0.key) + ": " + inline($0.value) }.joined(separator: ", ") + "}"
        case .array(let v): return "array<\(v.elementType)>[" + v.elements.map(inline).joined(separator: ", ") + "]"
        case .described(let v): return "described(\(inline(v.descriptor))) " + inline(v.value)
        }
    }

    private func quoted(_ text: String) -> String {
        let count = text.unicodeScalars.count
        let shown = count > maxBinaryBytes ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(maxBinaryBytes))) + "…" : text
        var escaped = ""
        for scalar in shown.unicodeScalars { escaped += scalar.escaped(asASCII: false) }
        return "\"" + escaped + "\"" + (count > maxBinaryBytes ? " (\(text.utf8.count) bytes)" : "")
    }

    private func binary(_ bytes: ByteBuffer) -> String {
        let count = bytes.readableBytes
        let shown = bytes.readableBytesView.prefix(maxBinaryBytes)
        let more = count > maxBinaryBytes ? "…" : ""
        if !shown.isEmpty && shown.allSatisfy({ (0x20...0x7E).contains($0) }) {
            return "binary(\(count)) \"" + String(decoding: shown, as: UTF8.self) + "\"" + more
        }
        return "binary(\(count)) " + shown.map { String(format2: $0) }.joined() + more
    }
}
