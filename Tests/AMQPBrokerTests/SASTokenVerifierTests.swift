import Foundation
import Testing

@testable import AMQPBroker

@Suite("SAS token verification")
struct SASTokenVerifierTests {
    static let rootKey = "dGhpcyBpcyBub3QgYSByZWFsIGtleSAxMjM0NTY3OA=="
    static let listenKey = "c2Vjb25kS2V5Rm9yVGVzdGluZw=="
    static let entityKey = "entityKey123="
    static let beforeExpiry = Date(timeIntervalSince1970: 1_800_000_000)
    static let expiry = Date(timeIntervalSince1970: 1_900_000_000)

    static let verifier = SASTokenVerifier(
        namespacePolicies: [SharedAccessPolicy(name: "RootManageSharedAccessKey", key: rootKey, rights: [.manage])],
        entityPolicies: [
            "t": [SharedAccessPolicy(name: "listen only", key: listenKey, rights: [.listen])],
            "orders": [SharedAccessPolicy(name: "orders-key", key: entityKey, rights: [.send])],
        ])

    // Made by azure-servicebus 7.15.0 itself:
    // python3 -c "from azure.servicebus._pyamqp.utils import generate_sas_token as g; print(g('sb://contoso.servicebus.windows.net/orders', 'RootManageSharedAccessKey', 'dGhpcyBpcyBub3QgYSByZWFsIGtleSAxMjM0NTY3OA==', 1900000000))"
    static let azureRootToken = "SharedAccessSignature sr=sb%3A%2F%2Fcontoso.servicebus.windows.net%2Forders&sig=S2oecCLi8sgm1GZJwe6NyUenjWii4e6FrSHJiU9NVVU%3D&se=1900000000&skn=RootManageSharedAccessKey"
    // python3 -c "from azure.servicebus._pyamqp.utils import generate_sas_token as g; print(g('sb://contoso.servicebus.windows.net/t/Subscriptions/s', 'listen only', 'c2Vjb25kS2V5Rm9yVGVzdGluZw==', 1900000000))"
    // (its skn is encoded twice: "listen only" -> "listen+only" -> "listen%2Bonly")
    static let azureListenToken = "SharedAccessSignature sr=sb%3A%2F%2Fcontoso.servicebus.windows.net%2Ft%2FSubscriptions%2Fs&sig=%2FQJHLZMee9jNayUsXgnfHugX1zsVk4J6CKZ8eO%2FrNKY%3D&se=1900000000&skn=listen%2Bonly"
    // sr raw in the token and signed raw:
    // python3 -c 'import hmac,hashlib,base64; print(base64.b64encode(hmac.new(b"entityKey123=", b"sb://contoso.servicebus.windows.net/orders\n1900000000", hashlib.sha256).digest()).decode())'
    static let rawSignature = "SC+hhYMrxoP/AFMatKW7bPdbnnJQmGHYOkvXj01DuLk="
    // sr raw in the token but signed over its quote_plus form:
    // python3 -c 'import hmac,hashlib,base64,urllib.parse as u; print(u.quote(base64.b64encode(hmac.new(b"entityKey123=", (u.quote_plus("sb://contoso.servicebus.windows.net/orders")+"\n1900000000").encode(), hashlib.sha256).digest()).decode(), safe=""))'
    static let encodedFormSignature = "7ueYtqVHhRZ9BaBagsMrC5iJAUeXXGd2NALCI13bsH4%3D"
    // sr encoded with lower-case hex, signed as it appears:
    // python3 -c 'import hmac,hashlib,base64,urllib.parse as u; sr=u.quote("sb://contoso.servicebus.windows.net/orders",safe="").lower(); print(u.quote(base64.b64encode(hmac.new(b"entityKey123=",(sr+"\n1900000000").encode(),hashlib.sha256).digest()).decode(),safe=""))'
    static let lowerHexToken = "SharedAccessSignature sr=sb%3a%2f%2fcontoso.servicebus.windows.net%2forders&sig=6CKJ1ka%2B9IiDr%2Fx0m5hVdDIGXMF3ioAGj6hrkKtBhSA%3D&se=1900000000&skn=orders-key"

    static func code(_ token: String, audience: String = "sb://contoso.servicebus.windows.net/orders",
                     now: Date = beforeExpiry, verifier: SASTokenVerifier = verifier) -> SASError.Code? {
        do {
            _ = try verifier.verify(token: token, audience: audience, now: now)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func azureServiceBusTokenVerifies() throws {
        let granted = try Self.verifier.verify(token: Self.azureRootToken,
                                               audience: "sb://contoso.servicebus.windows.net/orders", now: Self.beforeExpiry)
        #expect(granted.rights == [.manage, .send, .listen])
        #expect(granted.keyName == "RootManageSharedAccessKey")
        #expect(granted.expiry == Self.expiry)
        #expect(granted.scope.description == "contoso.servicebus.windows.net/orders")
        #expect(granted.allows(entityPath: "orders", right: .send))
        #expect(granted.allows(entityPath: "/Orders/$DeadLetterQueue", right: .listen))
        #expect(granted.allows(entityPath: "orders/$management", right: .manage))
        #expect(!granted.allows(entityPath: "other", right: .send))
        #expect(!granted.allows(entityPath: "ordersx", right: .send))
        #expect(granted.allows(entityPath: "amqps://contoso.servicebus.windows.net/orders", right: .send))
        #expect(!granted.allows(entityPath: "sb://elsewhere.servicebus.windows.net/orders", right: .send))
    }

    @Test(arguments: [
        "sb://contoso.servicebus.windows.net/orders", "amqps://CONTOSO.servicebus.windows.net/Orders/",
        "https://contoso.servicebus.windows.net/orders", "sb://contoso.servicebus.windows.net/orders/$management",
        "sb%3A%2F%2Fcontoso.servicebus.windows.net%2Forders", "contoso.servicebus.windows.net/orders//",
        "amqp://contoso.servicebus.windows.net:5672/orders",
    ])
    func audiencesAtOrBelowTheResource(audience: String) {
        #expect(Self.code(Self.azureRootToken, audience: audience) == nil)
    }

    @Test(arguments: [
        "sb://contoso.servicebus.windows.net/", "sb://contoso.servicebus.windows.net/orders2",
        "sb://other.servicebus.windows.net/orders", "ftp://contoso.servicebus.windows.net/orders", "",
    ])
    func audiencesOutsideTheResource(audience: String) {
        #expect(Self.code(Self.azureRootToken, audience: audience) == .audienceMismatch)
    }

    @Test func entityPolicyWithTwiceEncodedKeyName() throws {
        let granted = try Self.verifier.verify(
            token: Self.azureListenToken, audience: "sb://contoso.servicebus.windows.net/t/Subscriptions/s",
            now: Self.beforeExpiry)
        #expect(granted.rights == [.listen])
        #expect(granted.keyName == "listen only")
        #expect(granted.allows(entityPath: "t/subscriptions/S", right: .listen))
        #expect(!granted.allows(entityPath: "t/subscriptions/s", right: .send))
        #expect(!granted.allows(entityPath: "t", right: .listen))
        #expect(throws: SASError.self) {
            try granted.authorize(entityPath: "t/Subscriptions/s", right: .send, now: Self.beforeExpiry)
        }
        #expect(throws: Never.self) {
            try granted.authorize(entityPath: "t/Subscriptions/s", right: .listen, now: Self.beforeExpiry)
        }
    }

    @Test func bothFormsOfTheResourceAreAccepted() {
        let raw = "sr=sb://contoso.servicebus.windows.net/orders&se=1900000000&skn=orders-key"
        #expect(Self.code("SharedAccessSignature \(raw)&sig=\(Self.rawSignature)") == nil)
        #expect(Self.code("SharedAccessSignature sig=\(PercentCoding.formEncode(Self.rawSignature))&\(raw)") == nil)
        #expect(Self.code("SharedAccessSignature \(raw)&sig=\(Self.encodedFormSignature)") == nil)
        #expect(Self.code(Self.lowerHexToken) == nil)
    }

    @Test func entityPoliciesApplyOnlyToTheirEntity() {
        // The same signature, presented for a resource above the entity, finds no policy.
        let namespaceWide = "SharedAccessSignature sr=sb%3A%2F%2Fcontoso.servicebus.windows.net%2F&sig=\(Self.encodedFormSignature)&se=1900000000&skn=orders-key"
        #expect(Self.code(namespaceWide, audience: "sb://contoso.servicebus.windows.net/") == .unknownKeyName)
    }

    @Test func expiry() {
        #expect(Self.code(Self.azureRootToken, now: Self.expiry) == .expired)
        #expect(Self.code(Self.azureRootToken, now: Self.expiry.addingTimeInterval(-1)) == nil)
        let granted = try? Self.verifier.verify(token: Self.azureRootToken,
                                                audience: "sb://contoso.servicebus.windows.net/orders", now: Self.beforeExpiry)
        #expect(granted?.isValid(at: Self.expiry) == false)
        #expect(throws: SASError.self) { try granted?.authorize(entityPath: "orders", right: .send, now: Self.expiry) }
    }

    @Test func signatureMustMatch() {
        let tampered = Self.azureRootToken.replacingOccurrences(of: "se=1900000000", with: "se=1900000001")
        #expect(Self.code(tampered) == .badSignature)
        let otherResource = Self.azureRootToken.replacingOccurrences(of: "%2Forders", with: "%2Forderz")
        #expect(Self.code(otherResource, audience: "sb://contoso.servicebus.windows.net/orderz") == .badSignature)
        let wrongKey = SASTokenVerifier(namespacePolicies: [
            SharedAccessPolicy(name: "RootManageSharedAccessKey", key: Self.listenKey, rights: [.manage]),
        ])
        #expect(Self.code(Self.azureRootToken, verifier: wrongKey) == .badSignature)
        // The key is its base64 text: a policy holding the decoded bytes' text does not verify.
        let decodedKey = String(decoding: Data(base64Encoded: Self.rootKey)!, as: UTF8.self)
        let decoded = SASTokenVerifier(namespacePolicies: [
            SharedAccessPolicy(name: "RootManageSharedAccessKey", key: decodedKey, rights: [.manage]),
        ])
        #expect(Self.code(Self.azureRootToken, verifier: decoded) == .badSignature)
    }

    @Test func unknownKeyNameAndHosts() {
        let renamed = Self.azureRootToken.replacingOccurrences(of: "skn=RootManageSharedAccessKey", with: "skn=rootmanagesharedaccesskey")
        #expect(Self.code(renamed) == .unknownKeyName)
        let pinned = SASTokenVerifier(namespacePolicies: Self.verifier.namespacePolicies, hosts: ["Contoso.servicebus.windows.net"])
        #expect(Self.code(Self.azureRootToken, verifier: pinned) == nil)
        let elsewhere = SASTokenVerifier(namespacePolicies: Self.verifier.namespacePolicies, hosts: ["localhost"])
        #expect(Self.code(Self.azureRootToken, verifier: elsewhere) == .audienceMismatch)
    }

    @Test(arguments: [
        "", "SharedAccessSignature", "SharedAccessSignature ", "Bearer abc", "SharedAccessSignature sr=x",
        "SharedAccessSignature sr=sb%3A%2F%2Fa%2Fb&sig=abc%3D&se=1900000000",
        "SharedAccessSignature sr=sb%3A%2F%2Fa%2Fb&sig=abc%3D&se=soon&skn=k",
        "SharedAccessSignature sr=sb%3A%2F%2Fa%2Fb&sig=abc%3D&se=-1&skn=k",
        "SharedAccessSignature sr=sb%3A%2F%2Fa%2Fb&sig=abc%3D&se=99999999999999999999&skn=k",
        "SharedAccessSignature sr=sb%3A%2F%2Fa%2Fb&sig=a*c%3D&se=1&skn=k",
        "SharedAccessSignature sr=sb%3A%2F%2Fa%2Fb&sig=&se=1&skn=k",
        "SharedAccessSignature sr=sb%ZZ&sig=abcd&se=1&skn=k",
        "SharedAccessSignature sr=%FF&sig=abcd&se=1&skn=k",
        "SharedAccessSignature sr=a&sr=b&sig=abcd&se=1&skn=k",
        "SharedAccessSignature sr=sb%3A%2F%2Fa%2Fb&sig=abcd&se=1&skn=k&bare",
        "SharedAccessSignature sr=%2Fa&sig=abcd&se=1&skn=k",
        "SharedAccessSignature sr=sb%3A%2F%2F&sig=abcd&se=1&skn=k",
    ])
    func malformed(token: String) {
        #expect(Self.code(token) == .malformed, "\(token)")
    }

    @Test func tokensAreLengthCapped() {
        let long = Self.azureRootToken + "&x=" + String(repeating: "a", count: 5000)
        #expect(Self.code(long) == .malformed)
        #expect(Self.code(Self.azureRootToken + "&x=ignored") == nil)
        #expect(Self.code("  sharedaccesssignature " + Self.azureRootToken.dropFirst(22) + " ") == nil)
    }

    /// No error text, for any failure, contains a signature or a key.
    @Test func errorsNeverShowSecrets() {
        let secrets = [Self.rootKey, Self.listenKey, Self.entityKey, "S2oecCLi8sgm1GZJwe6NyUenjWii4e6FrSHJiU9NVVU",
                       "S2oecCLi8sgm1GZJwe6NyUenjWii4e6FrSHJiU9NVVU%3D"]
        let tokens = [
            Self.azureRootToken.replacingOccurrences(of: "se=1900000000", with: "se=1900000001"),
            Self.azureRootToken.replacingOccurrences(of: "skn=RootManageSharedAccessKey", with: "skn=x"),
            Self.azureRootToken, Self.azureRootToken.replacingOccurrences(of: "se=1900000000", with: "se=x"),
        ]
        for token in tokens {
            for (audience, now) in [("sb://contoso.servicebus.windows.net/orders", Self.expiry),
                                    ("sb://contoso.servicebus.windows.net/q", Self.beforeExpiry)] {
                do {
                    _ = try Self.verifier.verify(token: token, audience: audience, now: now)
                } catch {
                    for text in [error.description, error.debugDescription, String(reflecting: error), "\(error)"] {
                        for secret in secrets { #expect(!text.contains(secret)) }
                    }
                }
            }
        }
        let policy = SharedAccessPolicy(name: "p", key: Self.rootKey, rights: [.send])
        #expect(!String(describing: policy).contains(Self.rootKey))
        #expect(!String(reflecting: policy).contains(Self.rootKey))
        var dumped = ""
        dump(policy, to: &dumped)
        #expect(!dumped.contains(Self.rootKey))
    }

    /// Mutations of a valid token never trap and never verify.
    @Test func fuzzNeverTraps() {
        var generator = SplitMix64(seed: 0x5A5_70CE)
        let alphabet = Array("%&=+/ abcSsrigeknAZ09:.\u{0}é")
        var accepted = 0
        for _ in 0..<4_000 {
            var characters = Array(Self.azureRootToken)
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                let position = Int(generator.next() % UInt64(characters.count))
                let character = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                switch generator.next() % 3 {
                case 0: characters.insert(character, at: position)
                case 1: characters.remove(at: position)
                default: characters[position] = character
                }
            }
            let token = String(characters)
            if Self.code(token) == nil { accepted += 1 }
            _ = try? JWTVerifier(secret: [1, 2, 3]).verify(token: token, audience: "sb://a/b", now: Self.beforeExpiry)
        }
        // Only harmless mutations verify: spaces around the token, the case of a field name.
        #expect(accepted < 100)
    }

    @Test func builderWritesWhatAzureServiceBusWrites() throws {
        let policy = SharedAccessPolicy(name: "RootManageSharedAccessKey", key: Self.rootKey, rights: [.manage])
        let token = SASTokenBuilder.token(resource: "sb://contoso.servicebus.windows.net/orders", policy: policy,
                                          expiry: Self.expiry)
        #expect(token == Self.azureRootToken)
        // A name with a space: encoded once (azure-servicebus encodes it twice), verifies too.
        let spaced = SASTokenBuilder.token(resource: "sb://contoso.servicebus.windows.net/t/Subscriptions/s",
                                           keyName: "listen only", key: Self.listenKey, expiry: Self.expiry)
        #expect(Self.code(spaced, audience: "sb://contoso.servicebus.windows.net/t/Subscriptions/s") == nil)
    }

    @Test func resourceURINormalisation() {
        #expect(ResourceURI("AMQPS://Host:5671/A//b/")?.description == "host/a/b")
        #expect(ResourceURI("sb://[::1]:5672/q")?.host == "[::1]")
        #expect(ResourceURI("sb://host/q?x=1#f")?.segments == ["q"])
        #expect(ResourceURI("sb://:5672/q") == nil)
        #expect(ResourceURI("/q") == nil)
        #expect(ResourceURI("ws://host/q") == nil)
    }

    @Test func manageImpliesSendAndListen() {
        #expect(AccessRight.effective([.manage]) == [.manage, .send, .listen])
        #expect(AccessRight.effective([.send]) == [.send])
        let scope = ResourceURI("sb://ns/q")!
        let token = GrantedToken(rights: [.manage], scope: scope, expiry: Self.expiry, keyName: "k")
        #expect(token.allows(entityPath: "q", right: .listen))
    }
}
