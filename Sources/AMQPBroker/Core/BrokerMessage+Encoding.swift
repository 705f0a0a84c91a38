import AMQPCore
import NIOCore

extension BrokerMessage {
    /// The message as it goes out on a delivery: a header with the delivery count, the
    /// broker's message annotations (`x-opt-sequence-number`, `x-opt-enqueued-time`,
    /// `x-opt-locked-until`, `x-opt-message-state`, `x-opt-deadletter-source`, … over the
    /// sender's own), for peek-lock deliveries delivery annotations with `x-opt-lock-token`,
    /// then the bare message byte for byte — except that the application-properties section is
    /// re-encoded when it was modified (dead-letter reason, properties to modify).
    public func encodedForDelivery() -> ByteBuffer {
        var header = self.header ?? MessageHeader()
        header.deliveryCount = deliveryCount == 0 ? nil : deliveryCount
        var entries = annotations.entries.filter { entry in
            guard case .symbol(let key) = entry.key else { return true }
            return !BrokerMessage.brokerKeys.contains(key)
        }
        entries.append(AMQPMap.Entry(key: .symbol(BrokerAnnotation.sequenceNumber), value: .long(sequenceNumber)))
        entries.append(AMQPMap.Entry(key: .symbol(BrokerAnnotation.enqueuedTime), value: .timestamp(enqueuedTime)))
        if let lockedUntil {
            entries.append(AMQPMap.Entry(key: .symbol(BrokerAnnotation.lockedUntil), value: .timestamp(lockedUntil)))
        }
        entries.append(AMQPMap.Entry(key: .symbol(BrokerAnnotation.messageState), value: .int(state.rawValue)))
        if let deadLetterSource {
            entries.append(AMQPMap.Entry(key: .symbol(BrokerAnnotation.deadLetterSource), value: .string(deadLetterSource)))
        }
        if let enqueueSequenceNumber {
            entries.append(AMQPMap.Entry(key: .symbol(BrokerAnnotation.enqueueSequenceNumber), value: .long(enqueueSequenceNumber)))
        }
        let deliveryAnnotations: AMQPMap? = lockToken.map { [.symbol(BrokerAnnotation.lockToken): .uuid($0)] }
        var out = ByteBuffer()
        out.reserveCapacity(bareMessage.readableBytes + 128)
        AMQPMessage(header: header, deliveryAnnotations: deliveryAnnotations, messageAnnotations: AMQPMap(entries)).encode(into: &out)
        if applicationPropertiesModified {
            writeBareMessageReplacingApplicationProperties(into: &out)
        } else {
            out.writeImmutableBuffer(bareMessage)
        }
        return out
    }

    private static let brokerKeys: Set<AMQPSymbol> = [
        BrokerAnnotation.sequenceNumber, BrokerAnnotation.enqueuedTime, BrokerAnnotation.lockedUntil,
        BrokerAnnotation.messageState, BrokerAnnotation.deadLetterSource, BrokerAnnotation.enqueueSequenceNumber,
    ]

    /// Copies the bare message's sections, writing `applicationProperties` in place of the
    /// received application-properties section (or after the properties, if there was none).
    private func writeBareMessageReplacingApplicationProperties(into out: inout ByteBuffer) {
        var replacement = ByteBuffer()
        AMQPMessage(applicationProperties: applicationProperties).encode(into: &replacement)
        var decoder = AMQPDecoder(buffer: bareMessage)
        var written = false
        var copiedUpTo = 0
        let base = bareMessage.readerIndex
        // The bare message was validated at enqueue; on any surprise fall back to a plain copy.
        while !decoder.isAtEnd {
            let start = decoder.offset
            guard (try? decoder.readByte()) == 0x00, let descriptor = try? decoder.readDescriptor(),
                  (try? decoder.skipValue()) != nil else { break }
            let code: UInt64? = if case .ulong(let value) = descriptor { value } else { nil }
            if code == AMQPSectionCode.properties { continue }
            if let section = bareMessage.getSlice(at: base + copiedUpTo, length: start - copiedUpTo) {
                out.writeImmutableBuffer(section)
            }
            if !written { out.writeImmutableBuffer(replacement); written = true }
            copiedUpTo = code == AMQPSectionCode.applicationProperties ? decoder.offset : start
            break
        }
        if !written {
            // Properties only, or nothing decodable: the section goes last.
            out.writeImmutableBuffer(bareMessage)
            out.writeImmutableBuffer(replacement)
            return
        }
        if let rest = bareMessage.getSlice(at: base + copiedUpTo, length: bareMessage.readableBytes - copiedUpTo) {
            out.writeImmutableBuffer(rest)
        }
    }
}
