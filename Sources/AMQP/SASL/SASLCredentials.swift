import AMQPCore
import NIOCore

/// How a client authenticates in the SASL layer (spec 5.3).
///
/// `description` never shows a password.
public enum SASLCredentials: Sendable, Hashable, CustomStringConvertible {
    /// ANONYMOUS (RFC 4505), with optional trace information.
    case anonymous(trace: String = "")
    /// PLAIN (RFC 4616): `authzid NUL authcid NUL passwd`.
    case plain(username: String, password: String, authorizationID: String = "")
    /// EXTERNAL (RFC 4422): the identity comes from the transport (a TLS client certificate).
    case external(authorizationID: String = "")

    public var mechanism: AMQPSymbol {
        switch self {
        case .anonymous: return "ANONYMOUS"
        case .plain: return "PLAIN"
        case .external: return "EXTERNAL"
        }
    }

    /// The sasl-init initial response.
    public var initialResponse: ByteBuffer {
        switch self {
        case .anonymous(let trace):
            return ByteBuffer(string: trace)
        case .plain(let username, let password, let authorizationID):
            var buffer = ByteBuffer()
            buffer.writeString(authorizationID)
            buffer.writeInteger(UInt8(0))
            buffer.writeString(username)
            buffer.writeInteger(UInt8(0))
            buffer.writeString(password)
            return buffer
        case .external(let authorizationID):
            return ByteBuffer(string: authorizationID)
        }
    }

    public var description: String {
        switch self {
        case .anonymous: return "ANONYMOUS"
        case .plain(let username, _, _): return "PLAIN as \(username) (password hidden)"
        case .external: return "EXTERNAL"
        }
    }
}

/// What a client presented in sasl-init, as the server's authenticator sees it.
public enum SASLPresented: Sendable, Hashable, CustomStringConvertible {
    case anonymous(trace: String)
    case plain(authorizationID: String, username: String, password: String)
    case external(authorizationID: String)

    /// Parses a sasl-init for one of the mechanisms this library serves; nil if malformed.
    init?(mechanism: AMQPSymbol, response: ByteBuffer?) {
        let bytes = response.map { Array($0.readableBytesView) } ?? []
        switch mechanism {
        case "ANONYMOUS":
            self = .anonymous(trace: String(decoding: bytes, as: UTF8.self))
        case "EXTERNAL":
            self = .external(authorizationID: String(decoding: bytes, as: UTF8.self))
        case "PLAIN":
            let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[1].isEmpty else { return nil }
            self = .plain(authorizationID: String(decoding: parts[0], as: UTF8.self),
                          username: String(decoding: parts[1], as: UTF8.self),
                          password: String(decoding: parts[2], as: UTF8.self))
        default:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .anonymous: return "ANONYMOUS"
        case .plain(_, let username, _): return "PLAIN as \(username) (password hidden)"
        case .external(let authorizationID): return "EXTERNAL" + (authorizationID.isEmpty ? "" : " as \(authorizationID)")
        }
    }
}
