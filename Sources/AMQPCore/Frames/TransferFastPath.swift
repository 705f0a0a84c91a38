import NIOCore

/// The common shape of a transfer performative, read straight from the frame's bytes: a
/// list8 or list32 of at most the eleven known fields, each null or in one of its usual
/// encodings, and no delivery state. Anything else — a state, a symbolic descriptor, an odd
/// encoding, a malformed list — gets nil, and the general decoder reads it (and says what is
/// wrong, if anything is). So this path decides nothing on its own: for what it accepts it
/// gives exactly what the general decoder gives, which the tests check.
///
/// Why: a receiver reads one transfer per message, and the general decoder's sub-buffers,
/// field-by-field error context and generic field readers cost several times more.
enum TransferFastPath {
    /// The transfer at the start of `body` (a frame body) and the length of its encoding, so
    /// that what follows is the payload.
    static func parse(_ body: ByteBuffer) -> (transfer: Transfer, length: Int)? {
        var tag: (offset: Int, length: Int)?
        let parsed = body.withUnsafeReadableBytes { bytes -> (Transfer, Int)? in
            var reader = Reader(bytes: bytes)
            guard let fields = reader.transfer(tag: &tag) else { return nil }
            return (fields, reader.at)
        }
        guard var (transfer, length) = parsed else { return nil }
        if let tag { transfer.deliveryTag = body.getSlice(at: body.readerIndex + tag.offset, length: tag.length) }
        return (transfer, length)
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var at = 0
        /// Where the list's elements end, and how many are left.
        var end = 0
        var remaining = 0

        mutating func byte() -> UInt8? {
            guard at < end || (end == 0 && at < bytes.count) else { return nil }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func uint32BigEndian() -> UInt32? {
            guard at + 4 <= bytes.count, end == 0 || at + 4 <= end else { return nil }
            var value: UInt32 = 0
            for index in 0..<4 { value = value << 8 | UInt32(bytes[at + index]) }
            at += 4
            return value
        }

        /// A field's constructor: `.some(nil)` when the list has no more fields.
        mutating func field() -> UInt8?? {
            guard remaining > 0 else { return .some(nil) }
            remaining -= 1
            guard let code = byte() else { return nil }
            return .some(code)
        }

        /// Outer nil: not the common shape. Inner nil: null or absent.
        mutating func uint() -> UInt32?? {
            guard let code = field() else { return nil }
            switch code {
            case nil, 0x40?: return .some(nil)
            case 0x43?: return .some(0)
            case 0x52?: return byte().map { .some(UInt32($0)) }
            case 0x70?: return uint32BigEndian().map { .some($0) }
            default: return nil
            }
        }

        mutating func boolean() -> Bool?? {
            guard let code = field() else { return nil }
            switch code {
            case nil, 0x40?: return .some(nil)
            case 0x41?: return .some(true)
            case 0x42?: return .some(false)
            case 0x56?:
                switch byte() {
                case 0x00?: return .some(false)
                case 0x01?: return .some(true)
                default: return nil
                }
            default: return nil
            }
        }

        mutating func binary(_ tag: inout (offset: Int, length: Int)?) -> Bool {
            guard let code = field() else { return false }
            let length: Int
            switch code {
            case nil, 0x40?: return true
            case 0xA0?:
                guard let byte = byte() else { return false }
                length = Int(byte)
            case 0xB0?:
                guard let value = uint32BigEndian() else { return false }
                length = Int(value)
            default: return false
            }
            guard length <= end - at else { return false }
            tag = (at, length)
            at += length
            return true
        }

        mutating func transfer(tag: inout (offset: Int, length: Int)?) -> Transfer? {
            // Described by its small numeric code, then the list.
            guard byte() == 0x00, byte() == 0x53, byte() == 0x14 else { return nil }
            switch byte() {
            case 0xC0:
                guard let size = byte(), let count = byte() else { return nil }
                end = at - 1 + Int(size)
                remaining = Int(count)
            case 0xD0:
                guard let size = uint32BigEndian(), let count = uint32BigEndian() else { return nil }
                end = at - 4 + Int(size)
                remaining = Int(count)
            default:
                return nil
            }
            guard end <= bytes.count, end >= at, (1...11).contains(remaining) else { return nil }
            guard let handle = uint(), let handle,
                  let deliveryID = uint(),
                  binary(&tag),
                  let messageFormat = uint(),
                  let settled = boolean(),
                  let more = boolean()
            else { return nil }
            // rcv-settle-mode: a ubyte, 0 or 1.
            var rcvSettleMode: ReceiverSettleMode?
            switch field() {
            case nil: return nil
            case .some(nil), .some(0x40?): break
            case .some(0x50?):
                guard let raw = byte(), let mode = ReceiverSettleMode(rawValue: raw) else { return nil }
                rcvSettleMode = mode
            default: return nil
            }
            // state: only null here (a state is decoded by the general path).
            switch field() {
            case .some(nil), .some(0x40?): break
            default: return nil
            }
            guard let resume = boolean(), let aborted = boolean(), let batchable = boolean(),
                  remaining == 0, at == end
            else { return nil }
            return Transfer(handle: handle, deliveryID: deliveryID, messageFormat: messageFormat, settled: settled,
                            more: more ?? false, rcvSettleMode: rcvSettleMode, resume: resume ?? false,
                            aborted: aborted ?? false, batchable: batchable ?? false)
        }
    }
}
