import AMQPServiceBus
import Testing

@Suite struct ConnectionStringTests {
    static let key = "THISISNOTAREALKEY0123456789abcdefghijklmnop="

    @Test func parsesAKeyConnectionString() throws {
        let text = "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            + "SharedAccessKey=\(Self.key);EntityPath=orders"
        let parsed = try ServiceBusConnectionString(parsing: text)
        #expect(parsed.fullyQualifiedNamespace == "contoso.servicebus.windows.net")
        #expect(parsed.host == "contoso.servicebus.windows.net")
        #expect(parsed.port == 5671)
        #expect(parsed.transport == .amqps)
        #expect(parsed.sharedAccessKeyName == "RootManageSharedAccessKey")
        #expect(parsed.sharedAccessKey == Self.key)
        #expect(parsed.sharedAccessSignature == nil)
        #expect(parsed.entityPath == "orders")
        #expect(parsed.entity == .queue("orders"))
        #expect(parsed.useDevelopmentEmulator == false)
    }

    @Test func keysAreCaseInsensitiveAndWhitespaceIsTrimmed() throws {
        let text = "  endpoint = sb://ns.example.com ;;  sharedaccesskeyname=name ; SHAREDACCESSKEY= a=b== ;"
            + "entitypath=t/Subscriptions/s;;"
        let parsed = try ServiceBusConnectionString(parsing: text)
        #expect(parsed.host == "ns.example.com")
        #expect(parsed.sharedAccessKeyName == "name")
        #expect(parsed.sharedAccessKey == "a=b==")
        #expect(parsed.entity == .subscription(topic: "t", name: "s"))
    }

    @Test func emulatorUsesPlainAMQPOnTheEndpointPort() throws {
        let base = "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;"
        let defaulted = try ServiceBusConnectionString(parsing: base + "UseDevelopmentEmulator=true;")
        #expect(defaulted.transport == .amqp)
        #expect(defaulted.port == 5672)
        #expect(defaulted.useDevelopmentEmulator)
        let explicit = try ServiceBusConnectionString(
            parsing: "Endpoint=sb://127.0.0.1:5673/;SharedAccessKeyName=n;SharedAccessKey=k;UseDevelopmentEmulator=TRUE")
        #expect(explicit.port == 5673)
        #expect(explicit.host == "127.0.0.1")
        #expect(explicit.transport == .amqp)
        let off = try ServiceBusConnectionString(parsing: base + "UseDevelopmentEmulator=false")
        #expect(off.transport == .amqps)
        #expect(off.port == 5671)
    }

    @Test func endpointPortAndIPv6() throws {
        let parsed = try ServiceBusConnectionString(parsing: "Endpoint=amqps://[::1]:5999/;SharedAccessKeyName=n;SharedAccessKey=k")
        #expect(parsed.host == "::1")
        #expect(parsed.port == 5999)
        #expect(parsed.description.contains("[::1]:5999"))
    }

    @Test func parsesASignatureConnectionString() throws {
        let signature = "SharedAccessSignature sr=sb%3A%2F%2Fns.example.com%2Fq&sig=abc%3D&se=1767225600&skn=policy"
        let parsed = try ServiceBusConnectionString(parsing: "Endpoint=sb://ns.example.com/;SharedAccessSignature=\(signature)")
        #expect(parsed.sharedAccessSignature == signature)
        let credential = try parsed.makeCredential()
        #expect(credential is SASSignatureCredential)
    }

    static let failures: [(String, ServiceBusConfigurationError.Code)] = [
        ("", .emptyConnectionString),
        (" ; ;", .emptyConnectionString),
        ("SharedAccessKeyName=n;SharedAccessKey=k", .missingEndpoint),
        ("Endpoint=;SharedAccessKeyName=n;SharedAccessKey=k", .missingEndpoint),
        ("Endpoint=ns.example.com;SharedAccessKeyName=n;SharedAccessKey=k", .invalidEndpoint),
        ("Endpoint=ftp://ns.example.com;SharedAccessKeyName=n;SharedAccessKey=k", .invalidEndpoint),
        ("Endpoint=sb://;SharedAccessKeyName=n;SharedAccessKey=k", .invalidEndpoint),
        ("Endpoint=sb://ns.example.com:0/;SharedAccessKeyName=n;SharedAccessKey=k", .invalidEndpoint),
        ("Endpoint=sb://ns.example.com:70000/;SharedAccessKeyName=n;SharedAccessKey=k", .invalidEndpoint),
        ("Endpoint=sb://ns.example.com:/;SharedAccessKeyName=n;SharedAccessKey=k", .invalidEndpoint),
        ("Endpoint=sb://user@ns.example.com/;SharedAccessKeyName=n;SharedAccessKey=k", .invalidEndpoint),
        ("Endpoint=sb://ns example.com/;SharedAccessKeyName=n;SharedAccessKey=k", .invalidEndpoint),
        ("Endpoint=sb://ns.example.com/;SharedAccessKeyName=n", .missingKey),
        ("Endpoint=sb://ns.example.com/;SharedAccessKey=k", .missingKeyName),
        ("Endpoint=sb://ns.example.com/;SharedAccessKeyName=n;SharedAccessKey=k;SharedAccessSignature=SharedAccessSignature sr=a&sig=b&se=1", .conflictingCredentials),
        ("Endpoint=sb://ns.example.com/", .missingCredentials),
        ("Endpoint=sb://ns.example.com/;SharedAccessKeyName=n;SharedAccessKey=k;UseDevelopmentEmulator=yes", .invalidEmulatorFlag),
        ("Endpoint=sb://ns.example.com/;SharedAccessKeyName;SharedAccessKey=k", .malformedSegment),
        ("Endpoint=sb://ns.example.com/;=x;SharedAccessKeyName=n;SharedAccessKey=k", .malformedSegment),
        ("Endpoint=sb://a/;endpoint=sb://b/;SharedAccessKeyName=n;SharedAccessKey=k", .duplicateKey),
        ("Endpoint=sb://ns.example.com/;SharedAccessSignature=sig-without-fields", .invalidSignature),
        ("Endpoint=sb://ns.example.com/;SharedAccessKeyName=n;SharedAccessKey=k;EntityPath=q//x", .invalidEntityPath),
    ]

    @Test(arguments: failures)
    func rejects(_ text: String, _ code: ServiceBusConfigurationError.Code) {
        #expect {
            try ServiceBusConnectionString(parsing: text)
        } throws: { error in
            (error as? ServiceBusConfigurationError)?.code == code
        }
    }

    @Test func errorsNeverEchoSecrets() {
        let secretKey = "SuperSecretKeyValue123="
        let secretSig = "SharedAccessSignature sr=x&sig=TopSecretSignature&se=notanumber"
        let cases = [
            "Endpoint=sb://ns/;SharedAccessKeyName=n;SharedAccessKey=\(secretKey);SharedAccessSignature=\(secretSig)",
            "Endpoint=sb://ns/;SharedAccessSignature=\(secretSig)",
            "Endpoint=sb://ns/;SharedAccessKey=\(secretKey)",
            "Endpoint=sb://ns:\(secretKey)/;SharedAccessKeyName=n;SharedAccessKey=\(secretKey)",
            "Endpoint=sb://ns/;SharedAccessKeyName=n;\(secretKey);",
            "Endpoint=sb://ns/;SharedAccessKeyName=n;SharedAccessKey=\(secretKey);UseDevelopmentEmulator=\(secretKey)",
        ]
        for text in cases {
            do {
                _ = try ServiceBusConnectionString(parsing: text)
                Issue.record("expected an error for case \(cases.firstIndex(of: text) ?? -1)")
            } catch {
                let shown = "\(error) \(String(reflecting: error))"
                #expect(!shown.contains("SuperSecret"))
                #expect(!shown.contains("TopSecret"))
            }
        }
    }

    @Test func descriptionRedactsSecrets() throws {
        let parsed = try ServiceBusConnectionString(
            parsing: "Endpoint=sb://ns.example.com/;SharedAccessKeyName=policy;SharedAccessKey=\(Self.key);EntityPath=q")
        let shown = "\(parsed)"
        #expect(!shown.contains(Self.key))
        #expect(shown.contains("policy"))
        #expect(shown.contains("<redacted>"))
        #expect(shown.contains("amqps://ns.example.com:5671/"))
        var dumped = ""
        dump(parsed, to: &dumped)
        #expect(!dumped.contains(Self.key))
        #expect(dumped.contains("policy"))
        #expect(parsed.audience == "sb://ns.example.com/q")
        #expect(try parsed.makeCredential() is SASCredential)
    }
}
