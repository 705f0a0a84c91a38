import AMQPCore
import AMQPServiceBus
import Foundation
import NIOCore
import Testing

@Suite struct LockTokenTests {
    static let text = "00112233-4455-6677-8899-aabbccddeeff"
    // python3 -c 'import uuid; print(uuid.UUID("00112233-4455-6677-8899-aabbccddeeff").bytes_le.hex())'
    // (.NET: new Guid("00112233-4455-6677-8899-aabbccddeeff").ToByteArray())
    static let dotNetBytes: [UInt8] = [
        0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF,
    ]

    @Test func deliveryTagToUUID() throws {
        let token = try #require(ServiceBusLockToken(deliveryTag: Self.dotNetBytes))
        #expect(token.uuid == UUID(uuidString: Self.text))
        #expect(token.description == Self.text)
        let fromBuffer = try #require(ServiceBusLockToken(deliveryTag: ByteBuffer(bytes: Self.dotNetBytes)))
        #expect(fromBuffer == token)
    }

    @Test func uuidToDeliveryTag() throws {
        let token = ServiceBusLockToken(uuid: try #require(UUID(uuidString: Self.text)))
        #expect(token.deliveryTag == Self.dotNetBytes)
        #expect(token.deliveryTagBuffer == ByteBuffer(bytes: Self.dotNetBytes))
        #expect(token.rfcBytes == [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
    }

    @Test func amqpUUIDIsRFCOrder() throws {
        let amqp = try #require(AMQPUUID(uuidString: Self.text))
        let token = ServiceBusLockToken(amqpUUID: amqp)
        #expect(token.uuid == UUID(uuidString: Self.text))
        #expect(token.amqpUUID == amqp)
        #expect(amqp.high == 0x0011_2233_4455_6677)
    }

    @Test func roundTripsRandomTokens() throws {
        for _ in 0..<100 {
            let token = ServiceBusLockToken(uuid: UUID())
            #expect(ServiceBusLockToken(deliveryTag: token.deliveryTag) == token)
            #expect(ServiceBusLockToken(amqpUUID: token.amqpUUID) == token)
            #expect(token.amqpUUID.uuidString.lowercased() == token.description)
        }
    }

    @Test(arguments: [0, 1, 15, 17, 32])
    func otherTagLengthsAreNotLockTokens(_ count: Int) {
        #expect(ServiceBusLockToken(deliveryTag: [UInt8](repeating: 7, count: count)) == nil)
    }
}
