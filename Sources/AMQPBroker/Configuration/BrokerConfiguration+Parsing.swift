#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension BrokerConfiguration {
    /// At most this many bytes of configuration are read.
    public static let maximumFileSize = 4 * 1024 * 1024
    /// At most this many queues, topics, subscriptions (each topic), rules (each subscription)
    /// and policies (each list).
    public static let maximumListCount = 1000

    /// Parses and validates a configuration file.
    public static func parse(json: [UInt8]) throws(BrokerConfigurationError) -> BrokerConfiguration {
        guard json.count <= maximumFileSize else {
            throw BrokerConfigurationError(code: .tooLarge, path: "", detail: "the file is over \(maximumFileSize) bytes")
        }
        let configuration: BrokerConfiguration
        do {
            configuration = try JSONDecoder().decode(BrokerConfiguration.self, from: Data(json))
        } catch let error as DecodingError {
            throw BrokerConfigurationError(error)
        } catch {
            throw BrokerConfigurationError(code: .invalidJSON, path: "", detail: "not JSON: \(error)")
        }
        try configuration.validate()
        return configuration
    }

    public static func parse(json: String) throws(BrokerConfigurationError) -> BrokerConfiguration {
        try parse(json: Array(json.utf8))
    }

    /// The file's JSON form (durations in canonical ISO 8601 form).
    public func encodedJSON() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return Array(try encoder.encode(self))
    }
}

extension BrokerConfigurationError {
    init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self.init(code: .missingField, path: Self.path(context.codingPath + [key]), detail: "is required")
        case .typeMismatch(let type, let context):
            self.init(code: .wrongType, path: Self.path(context.codingPath), detail: "expected \(Self.jsonName(type))")
        case .valueNotFound(let type, let context):
            self.init(code: .wrongType, path: Self.path(context.codingPath), detail: "expected \(Self.jsonName(type)), found null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self.init(code: .invalidJSON, path: "", detail: "not JSON")
            } else {
                self.init(code: .invalidValue, path: Self.path(context.codingPath), detail: context.debugDescription)
            }
        @unknown default:
            self.init(code: .invalidJSON, path: "", detail: "\(error)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    private static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is [Any].Type: return "an array"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "an array" : (name.hasPrefix("Dictionary") ? "an object" : "an object")
        }
    }
}
