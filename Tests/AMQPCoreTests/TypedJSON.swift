import Foundation
import NIOCore
@testable import AMQPCore

/// The typed-JSON value notation shared with `Scripts/proton/*.py` (see make_fixtures.py).
enum TypedJSON {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func value(_ json: Any) throws -> AMQPValue {
        guard let object = json as? [String: Any], let type = object["t"] as? String else {
            throw Malformed(description: "not a typed value: \(json)")
        }
        func text(_ key: String) throws -> String {
            guard let value = object[key] as? String else { throw Malformed(description: "\(type) lacks \(key)") }
            return value
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard let value = T(try text("v")) else { throw Malformed(description: "bad \(type)") }
            return value
        }
        func hexBytes(_ key: String) throws -> ByteBuffer { bytes(try text(key)) }
        switch type {
        case "null": return .null
        case "bool": return .boolean(object["v"] as! Bool)
        case "ubyte": return .ubyte(try integer(UInt8.self))
        case "ushort": return .ushort(try integer(UInt16.self))
        case "uint": return .uint(try integer(UInt32.self))
        case "ulong": return .ulong(try integer(UInt64.self))
        case "byte": return .byte(try integer(Int8.self))
        case "short": return .short(try integer(Int16.self))
        case "int": return .int(try integer(Int32.self))
        case "long": return .long(try integer(Int64.self))
        case "float": return .float(Float(bitPattern: UInt32(try text("bits"), radix: 16)!))
        case "double": return .double(Double(bitPattern: UInt64(try text("bits"), radix: 16)!))
        case "decimal32": return .decimal32(AMQPDecimal32(bitPattern: try hexBytes("hex").getInteger(at: 0)!))
        case "decimal64": return .decimal64(AMQPDecimal64(bitPattern: try hexBytes("hex").getInteger(at: 0)!))
        case "decimal128":
            let raw = try hexBytes("hex")
            return .decimal128(AMQPDecimal128(high: raw.getInteger(at: 0)!, low: raw.getInteger(at: 8)!))
        case "char": return .char(Unicode.Scalar(try integer(UInt32.self))!)
        case "timestamp": return .timestamp(AMQPTimestamp(millisecondsSince1970: try integer(Int64.self)))
        case "uuid":
            let raw = try hexBytes("hex")
            return .uuid(AMQPUUID(high: raw.getInteger(at: 0)!, low: raw.getInteger(at: 8)!))
        case "binary": return .binary(try hexBytes("hex"))
        case "string": return .string(try text("v"))
        case "symbol": return .symbol(AMQPSymbol(try text("v")))
        case "list": return .list(try (object["v"] as! [Any]).map(value))
        case "map":
            let pairs = object["v"] as! [[Any]]
            return .map(AMQPMap(try pairs.map { AMQPMap.Entry(key: try value($0[0]), value: try value($0[1])) }))
        case "array":
            let elements = try (object["v"] as! [Any]).map(value)
            return .array(try AMQPArray(elements, of: try elementType(object)))
        case "described":
            return .described(AMQPDescribed(descriptor: try value(object["descriptor"]!), value: try value(object["v"]!)))
        default:
            throw Malformed(description: "unknown type \(type)")
        }
    }

    static func elementType(_ object: [String: Any]) throws -> AMQPArray.ElementType {
        let name = object["elem"] as! String
        if name == "described" {
            let inner = try elementType(["elem": object["inner"]!])
            return .described(descriptor: try value(object["descriptor"]!), inner)
        }
        let renamed = ["bool": "boolean"][name] ?? name
        guard let type = AMQPPrimitiveType(rawValue: renamed) else { throw Malformed(description: "array of \(name)") }
        return .primitive(type)
    }

    static func json(_ value: AMQPValue) -> Any {
        func typed(_ t: String, _ v: Any) -> [String: Any] { ["t": t, "v": v] }
        func hexOf(_ buffer: ByteBuffer) -> String { hex(buffer) }
        switch value {
        case .null: return ["t": "null"]
        case .boolean(let v): return typed("bool", v)
        case .ubyte(let v): return typed("ubyte", String(v))
        case .ushort(let v): return typed("ushort", String(v))
        case .uint(let v): return typed("uint", String(v))
        case .ulong(let v): return typed("ulong", String(v))
        case .byte(let v): return typed("byte", String(v))
        case .short(let v): return typed("short", String(v))
        case .int(let v): return typed("int", String(v))
        case .long(let v): return typed("long", String(v))
        case .float(let v): return ["t": "float", "bits": hexDigits(UInt64(v.bitPattern), width: 8)]
        case .double(let v): return ["t": "double", "bits": hexDigits(v.bitPattern, width: 16)]
        case .decimal32(let v): return ["t": "decimal32", "hex": hexDigits(UInt64(v.bitPattern), width: 8)]
        case .decimal64(let v): return ["t": "decimal64", "hex": hexDigits(v.bitPattern, width: 16)]
        case .decimal128(let v): return ["t": "decimal128", "hex": hexDigits(v.high, width: 16) + hexDigits(v.low, width: 16)]
        case .char(let v): return typed("char", String(v.value))
        case .timestamp(let v): return typed("timestamp", String(v.millisecondsSince1970))
        case .uuid(let v): return ["t": "uuid", "hex": hexDigits(v.high, width: 16) + hexDigits(v.low, width: 16)]
        case .binary(let v): return ["t": "binary", "hex": hexOf(v)]
        case .string(let v): return typed("string", v)
        case .symbol(let v): return typed("symbol", v.rawValue)
        case .list(let v): return typed("list", v.map(json))
        case .map(let v): return typed("map", v.entries.map { [json($0.key), json($0.value)] })
        case .array(let v):
            var object: [String: Any] = ["t": "array", "v": v.elements.map(json)]
            switch v.elementType {
            case .primitive(let type): object["elem"] = type == .boolean ? "bool" : type.rawValue
            case .described(let descriptor, let inner):
                object["elem"] = "described"
                object["descriptor"] = json(descriptor)
                object["inner"] = inner.underlying == .boolean ? "bool" : inner.underlying.rawValue
            }
            return object
        case .described(let v): return ["t": "described", "descriptor": json(v.descriptor), "v": json(v.value)]
        }
    }

    static func hexDigits(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: width - digits.count) + digits
    }

    static func load(_ name: String) throws -> [[String: Any]] {
        let url = fixturesDirectory.appendingPathComponent(name)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return object["vectors"] as! [[String: Any]]
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixturesDirectory = repositoryRoot.appendingPathComponent("Tests/AMQPCoreTests/Fixtures")
}
