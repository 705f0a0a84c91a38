import AMQPServiceBus
import Foundation
import Testing

@Suite struct CredentialTests {
    static let key = "THISISNOTAREALKEY0123456789abcdefghijklmnop="
    static let uri = "sb://contoso.servicebus.windows.net/orders"

    // python3 -c 'import hmac,hashlib,base64,urllib.parse as u; uri="sb://contoso.servicebus.windows.net/orders";
    //   key="THISISNOTAREALKEY0123456789abcdefghijklmnop="; se=1767225600; sr=u.quote_plus(uri);
    //   sig=base64.b64encode(hmac.new(key.encode(),(sr+"\n"+str(se)).encode(),hashlib.sha256).digest()).decode();
    //   print("SharedAccessSignature "+u.urlencode({"sr":uri,"sig":sig,"se":str(se),"skn":"RootManageSharedAccessKey"}))'
    // (identical to azure.servicebus._pyamqp.utils.generate_sas_token(uri, "RootManageSharedAccessKey", key, 1767225600))
    static let vector = "SharedAccessSignature sr=sb%3A%2F%2Fcontoso.servicebus.windows.net%2Forders"
        + "&sig=iw7Ff8c7C6HU2Fyuyt8JHF70eXqNHccmBJzp%2F9hHCUI%3D&se=1767225600&skn=RootManageSharedAccessKey"

    @Test func sasTokenMatchesThePythonVector() {
        let signature = SharedAccessSignature(
            resource: Self.uri, keyName: "RootManageSharedAccessKey", key: Self.key, expiry: 1_767_225_600)
        #expect(signature.token == Self.vector)
    }

    // python3 -c 'from azure.servicebus._pyamqp.utils import generate_sas_token as g;
    //   print(g("sb://contoso.servicebus.windows.net/a b~c","key","k",1700000000))'
    @Test func resourceIsEncodedLikeQuotePlus() {
        let signature = SharedAccessSignature(
            resource: "sb://contoso.servicebus.windows.net/a b~c", keyName: "key", key: "k", expiry: 1_700_000_000)
        #expect(signature.token == "SharedAccessSignature sr=sb%3A%2F%2Fcontoso.servicebus.windows.net%2Fa+b~c"
            + "&sig=Yo9SEc0c%2FM2cPnHop5WFpKFlSGQELajw68fWPdJxZl0%3D&se=1700000000&skn=key")
        #expect(SharedAccessSignature.urlEncoded("é/ +") == "%C3%A9%2F+%2B")
        #expect(SharedAccessSignature.urlDecoded("%C3%A9%2F+%2B") == "é/ +")
        #expect(SharedAccessSignature.urlDecoded("%G1") == nil)
        #expect(SharedAccessSignature.urlDecoded("%4") == nil)
        #expect(SharedAccessSignature.urlDecoded("%FF") == nil)
    }

    @Test func sasCredentialSignsWithItsClockAndTTL() async throws {
        let issued = Date(timeIntervalSince1970: 1_767_222_000.75)
        let credential = try SASCredential(
            keyName: "RootManageSharedAccessKey", key: Self.key, ttl: .seconds(3600), now: { issued })
        let token = try await credential.token(for: Self.uri)
        #expect(token.token == Self.vector)
        #expect(token.tokenType == .sas)
        #expect(token.expiresOn == Date(timeIntervalSince1970: 1_767_225_600))
    }

    @Test func sasCredentialRejectsANonPositiveTTL() {
        #expect(throws: ServiceBusConfigurationError.self) {
            try SASCredential(keyName: "n", key: "k", ttl: .zero)
        }
    }

    @Test func signatureCredentialParsesItsExpiryAndKeepsTheTextAsGiven() async throws {
        let credential = try SASSignatureCredential(signature: Self.vector)
        #expect(credential.signature.resource == Self.uri)
        #expect(credential.signature.keyName == "RootManageSharedAccessKey")
        #expect(credential.signature.expiry == 1_767_225_600)
        let token = try await credential.token(for: Self.uri)
        #expect(token.token == Self.vector)
        #expect(token.expiresOn == Date(timeIntervalSince1970: 1_767_225_600))
        // Field order is free, skn optional.
        let reordered = try SharedAccessSignature(parsing: "SharedAccessSignature se=5&sig=x&sr=sb%3A%2F%2Fa")
        #expect(reordered.expiry == 5)
        #expect(reordered.resource == "sb://a")
        #expect(reordered.keyName == nil)
    }

    static let badSignatures = [
        "", "SharedAccessSignature ", "Bearer x", "SharedAccessSignature sr=a&sig=b",
        "SharedAccessSignature sr=a&sig=b&se=soon", "SharedAccessSignature sr=a&sig=b&se=-1",
        "SharedAccessSignature sr=a&sig=b&se=1&sr=c", "SharedAccessSignature sr=a&sig=b&se=1&x=y",
        "SharedAccessSignature sr=a&sig&se=1", "SharedAccessSignature sr=%ZZ&sig=b&se=1",
        "SharedAccessSignature sr=a&sig=&se=1", "SharedAccessSignature sr=a&sig=b&se=99999999999999999999",
    ]

    @Test(arguments: badSignatures)
    func rejectsMalformedSignatures(_ text: String) {
        #expect(throws: ServiceBusConfigurationError.self) { try SharedAccessSignature(parsing: text) }
    }

    @Test func descriptionsRedactSecrets() async throws {
        let credential = try SASCredential(keyName: "policy", key: Self.key, now: { Date(timeIntervalSince1970: 0) })
        let token = try await credential.token(for: Self.uri)
        let signature = try SharedAccessSignature(parsing: Self.vector)
        let signatureCredential = try SASSignatureCredential(signature: Self.vector)
        let sig = "iw7Ff8c7C6HU2Fyuyt8JHF70eXqNHccmBJzp"
        for shown in [
            "\(credential)", String(reflecting: credential), "\(token)", String(reflecting: token),
            "\(signature)", String(reflecting: signature), "\(signatureCredential)",
        ] {
            #expect(!shown.contains(Self.key))
            #expect(!shown.contains(sig))
            #expect(!shown.contains(String(token.token.split(separator: "&")[1].dropFirst(4))))
            #expect(shown.contains("redacted"))
        }
        for value in [credential as Any, token, signature, signatureCredential] {
            var dumped = ""
            dump(value, to: &dumped)
            #expect(!dumped.contains(Self.key))
            #expect(!dumped.contains(sig))
            #expect(!dumped.contains("sig="))
        }
    }

    @Test func jwtCredentialAsksTheProviderForTheServiceBusScope() async throws {
        let expiry = Date(timeIntervalSince1970: 2_000_000_000)
        let credential = JWTCredential { scope in
            #expect(scope == "https://servicebus.azure.net//.default")
            return (token: "eyJ.token.\(scope.count)", expiresOn: expiry)
        }
        let token = try await credential.token(for: Self.uri)
        #expect(token.token == "eyJ.token.38")
        #expect(token.tokenType == .jwt)
        #expect(token.expiresOn == expiry)
        #expect(AccessToken.TokenType.jwt.cbsType == "jwt")
        #expect(AccessToken.TokenType.sas.cbsType == "servicebus.windows.net:sastoken")
        #expect(AccessToken.TokenType(cbsType: "jwt") == .jwt)
        #expect(AccessToken.TokenType(cbsType: "other") == nil)
    }

    @Test func jwtCredentialPassesProviderErrorsThrough() async {
        struct Failure: Error {}
        let credential = JWTCredential { _ in throw Failure() }
        await #expect(throws: Failure.self) { try await credential.token(for: Self.uri) }
    }
}

@Suite struct HostileDateTests {
    @Test func nonFiniteAndHugeDatesNeverTrap() async throws {
        for date in [Date(timeIntervalSince1970: .nan), Date(timeIntervalSince1970: .infinity),
                     Date(timeIntervalSince1970: -.infinity), Date(timeIntervalSince1970: 1e30)] {
            let credential = try SASCredential(keyName: "n", key: "k", ttl: .seconds(60), now: { date })
            let token = try await credential.token(for: "sb://ns/q")
            #expect(token.token.hasPrefix("SharedAccessSignature sr="))
            #expect("\(token)".contains("redacted"))
            let request = CBSPutTokenRequest(messageID: "1", replyTo: nil, audience: "a", token: token)
            #expect("\(request)".contains("redacted"))
            _ = request.message.encoded()
        }
    }
}
