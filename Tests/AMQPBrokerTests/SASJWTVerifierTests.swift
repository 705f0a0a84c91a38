import Foundation
import Testing

@testable import AMQPBroker

/// Vectors made with Python under the secret `jwt-test-secret`:
/// ```
/// python3 -c 'import hmac,hashlib,base64,json
/// b=lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
/// def jwt(h,p,k=b"jwt-test-secret"):
///     s=b(json.dumps(h,separators=(",",":")).encode())+"."+b(json.dumps(p,separators=(",",":")).encode())
///     return s+"."+b(hmac.new(k,s.encode(),hashlib.sha256).digest())
/// print(jwt(HEADER, CLAIMS))'
/// ```
@Suite("JWT (HS256) verification")
struct SASJWTVerifierTests {
    static let verifier = JWTVerifier(secret: Array("jwt-test-secret".utf8), namespaceAudiences: ["https://servicebus.azure.net/"],
                                      defaultRights: [.listen])
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    // {"alg":"HS256","typ":"JWT"} {"aud":"sb://contoso.servicebus.windows.net/orders","exp":1900000000,"nbf":1700000000,"sub":"app-1","roles":["Send"]}
    static let sender = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJzYjovL2NvbnRvc28uc2VydmljZWJ1cy53aW5kb3dzLm5ldC9vcmRlcnMiLCJleHAiOjE5MDAwMDAwMDAsIm5iZiI6MTcwMDAwMDAwMCwic3ViIjoiYXBwLTEiLCJyb2xlcyI6WyJTZW5kIl19.MTYTv7ECrjNa4zzkIs4y-GO1x0ysK58qvBm4rTIGpEc"
    // {"alg":"HS256","typ":"JWT"} {"aud":["https://servicebus.azure.net"],"exp":1900000000,"iss":"https://issuer.example","roles":"Azure Service Bus Data Owner"}
    static let owner = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsiaHR0cHM6Ly9zZXJ2aWNlYnVzLmF6dXJlLm5ldCJdLCJleHAiOjE5MDAwMDAwMDAsImlzcyI6Imh0dHBzOi8vaXNzdWVyLmV4YW1wbGUiLCJyb2xlcyI6IkF6dXJlIFNlcnZpY2UgQnVzIERhdGEgT3duZXIifQ.7XnjNeMddVODg2uTOUnJ2JsD7WBeV3Q58D5BF4h5YGg"
    // {"alg":"HS256"} {"aud":"sb://contoso.servicebus.windows.net/","exp":1900000000}
    static let namespaceWide = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJzYjovL2NvbnRvc28uc2VydmljZWJ1cy53aW5kb3dzLm5ldC8iLCJleHAiOjE5MDAwMDAwMDB9.SfJVVxHYIUHOdU8nheTkR1Wf5CQawrvHDASPlWDb1oA"
    // {"alg":"none"} {"aud":"sb://contoso.servicebus.windows.net/","exp":1900000000}, signed anyway
    static let algNone = "eyJhbGciOiJub25lIn0.eyJhdWQiOiJzYjovL2NvbnRvc28uc2VydmljZWJ1cy53aW5kb3dzLm5ldC8iLCJleHAiOjE5MDAwMDAwMDB9.GOMrHn5flBw4VET06zDEh8Ive4iBR7gtaLJOGm51GpE"
    // {"alg":"HS256"} {"aud":"sb://contoso.servicebus.windows.net/","exp":true}
    static let booleanExp = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJzYjovL2NvbnRvc28uc2VydmljZWJ1cy53aW5kb3dzLm5ldC8iLCJleHAiOnRydWV9.X4OVgofGHfHeyp8_AAUKzWOyUiZyR9MSoTduGVJ7SLA"
    // {"alg":"HS256"} {"aud":"sb://contoso.servicebus.windows.net/"}
    static let noExp = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJzYjovL2NvbnRvc28uc2VydmljZWJ1cy53aW5kb3dzLm5ldC8ifQ.ZSPgvZSyGY7gdY5ozzPWCU_Zcsfl-FoSmVZXXUaMBAk"

    static func code(_ token: String, audience: String = "sb://contoso.servicebus.windows.net/orders",
                     now: Date = now, verifier: JWTVerifier = verifier) -> SASError.Code? {
        do {
            _ = try verifier.verify(token: token, audience: audience, now: now)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func senderToken() throws {
        let granted = try Self.verifier.verify(token: Self.sender, audience: "amqps://contoso.servicebus.windows.net/orders",
                                               now: Self.now)
        #expect(granted.rights == [.send])
        #expect(granted.keyName == "app-1")
        #expect(granted.expiry == Date(timeIntervalSince1970: 1_900_000_000))
        #expect(granted.allows(entityPath: "orders", right: .send))
        #expect(!granted.allows(entityPath: "orders", right: .listen))
        #expect(!granted.allows(entityPath: "other", right: .send))
    }

    @Test func namespaceAudienceGrantsTheWholeNamespace() throws {
        let granted = try Self.verifier.verify(token: Self.owner, audience: "sb://contoso.servicebus.windows.net/t/Subscriptions/s",
                                               now: Self.now)
        #expect(granted.rights == [.manage, .send, .listen])
        #expect(granted.scope.description == "contoso.servicebus.windows.net")
        #expect(granted.allows(entityPath: "any/thing", right: .manage))
        let pinned = JWTVerifier(secret: Array("jwt-test-secret".utf8), issuer: "https://issuer.example",
                                 namespaceAudiences: ["https://servicebus.azure.net"])
        #expect(Self.code(Self.owner, verifier: pinned) == nil)
        let otherIssuer = JWTVerifier(secret: Array("jwt-test-secret".utf8), issuer: "https://elsewhere",
                                      namespaceAudiences: ["https://servicebus.azure.net"])
        #expect(Self.code(Self.owner, verifier: otherIssuer) == .audienceMismatch)
        let noNamespaceAudience = JWTVerifier(secret: Array("jwt-test-secret".utf8))
        #expect(Self.code(Self.owner, verifier: noNamespaceAudience) == .audienceMismatch)
    }

    @Test func defaultRightsWithoutRoles() throws {
        let granted = try Self.verifier.verify(token: Self.namespaceWide, audience: "sb://contoso.servicebus.windows.net/q",
                                               now: Self.now)
        #expect(granted.rights == [.listen])
        #expect(granted.keyName == "jwt")
    }

    @Test func timeChecks() {
        #expect(Self.code(Self.sender, now: Date(timeIntervalSince1970: 1_900_000_000)) == .expired)
        #expect(Self.code(Self.sender, now: Date(timeIntervalSince1970: 1_699_999_999)) == .notYetValid)
        #expect(Self.code(Self.sender, now: Date(timeIntervalSince1970: 1_700_000_000)) == nil)
    }

    @Test func audienceMustBeCovered() {
        #expect(Self.code(Self.sender, audience: "sb://contoso.servicebus.windows.net/other") == .audienceMismatch)
        #expect(Self.code(Self.sender, audience: "sb://contoso.servicebus.windows.net/") == .audienceMismatch)
        #expect(Self.code(Self.sender, audience: "sb://contoso.servicebus.windows.net/orders/$management") == nil)
    }

    @Test func signatureAndShape() {
        let wrongSecret = JWTVerifier(secret: Array("another".utf8))
        #expect(Self.code(Self.sender, verifier: wrongSecret) == .badSignature)
        var parts = Self.sender.split(separator: ".").map(String.init)
        // The payload re-encoded with "Manage" for "Send", signature kept.
        let forged = #"{"aud":"sb://contoso.servicebus.windows.net/orders","exp":1900000000,"nbf":1700000000,"sub":"app-1","roles":["Manage"]}"#
        parts[1] = Data(forged.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        #expect(Self.code(parts.joined(separator: ".")) == .badSignature)
        #expect(Self.code(Self.algNone) == .malformed)
        #expect(Self.code(Self.booleanExp) == .malformed)
        #expect(Self.code(Self.noExp) == .malformed)
        for token in ["", "a.b", "a.b.c.d", "!!.e30.e30", "e30.e30.e30", Self.sender + "=", Self.sender.dropLast(1) + "+",
                      String(repeating: "a", count: 9000)] {
            #expect(Self.code(String(token)) == .malformed || Self.code(String(token)) == .badSignature, "\(token.prefix(40))")
        }
    }

    @Test func verifierNeverShowsItsSecret() {
        let verifier = JWTVerifier(secret: Array("jwt-test-secret".utf8))
        var dumped = ""
        dump(verifier, to: &dumped)
        let secretBytes = "\(Array("jwt-test-secret".utf8))"
        for text in [String(describing: verifier), String(reflecting: verifier), dumped] {
            #expect(!text.contains("jwt-test-secret"))
            #expect(!text.contains(secretBytes))
        }
    }

    @Test func errorsNeverShowTheSecretOrSignature() {
        let signature = String(Self.sender.split(separator: ".")[2])
        for token in [Self.sender, Self.algNone, Self.noExp] {
            for verifier in [Self.verifier, JWTVerifier(secret: Array("another".utf8))] {
                do {
                    _ = try verifier.verify(token: token, audience: "sb://x/y", now: Self.now)
                } catch {
                    #expect(!error.description.contains("jwt-test-secret"))
                    #expect(!error.description.contains(signature))
                }
            }
        }
    }
}

@Suite("CBS token types")
struct SASCBSTokenVerifierTests {
    @Test func dispatchByType() throws {
        let verifier = CBSTokenVerifier(sas: SASTokenVerifierTests.verifier, jwt: SASJWTVerifierTests.verifier)
        let audience = "sb://contoso.servicebus.windows.net/orders"
        let sas = try verifier.verify(type: "servicebus.windows.net:sastoken", token: SASTokenVerifierTests.azureRootToken,
                                      audience: audience, now: SASJWTVerifierTests.now)
        #expect(sas.keyName == "RootManageSharedAccessKey")
        let jwt = try verifier.verify(type: "jwt", token: SASJWTVerifierTests.sender, audience: audience,
                                      now: SASJWTVerifierTests.now)
        #expect(jwt.keyName == "app-1")
        #expect(throws: SASError.self) {
            try verifier.verify(type: "jwt", token: SASTokenVerifierTests.azureRootToken, audience: audience,
                                now: SASJWTVerifierTests.now)
        }
        do {
            _ = try CBSTokenVerifier(sas: SASTokenVerifierTests.verifier)
                .verify(type: "jwt", token: SASJWTVerifierTests.sender, audience: audience, now: SASJWTVerifierTests.now)
            Issue.record("accepted a JWT with no JWT verifier")
        } catch {
            #expect(error.code == .malformed)
            #expect(error.cbsStatusCode == 400)
        }
        #expect(SASError(code: .badSignature, message: "").cbsStatusCode == 401)
        #expect(SASError(code: .insufficientRights, message: "").cbsStatusCode == 403)
    }
}
