import COpenSSL
import NIOCore

/// The bytes between OpenSSL and the channel: ciphertext received and not yet read by
/// OpenSSL, and ciphertext OpenSSL produced and not yet written. A BIO over these two
/// buffers saves the copy that memory BIOs add in each direction.
final class TLSBuffers {
    var inbound = ByteBuffer()
    var outbound: ByteBuffer

    init(allocator: ByteBufferAllocator) {
        outbound = allocator.buffer(capacity: 16 * 1024)
    }
}

/// The BIO method: reads from `TLSBuffers.inbound`, writes to `TLSBuffers.outbound` (the
/// BIO's data pointer, unretained: the handler owns the buffers and outlives the `SSL`).
enum ByteBufferBIO {
    nonisolated(unsafe) static let method: OpaquePointer = {
        let method = BIO_meth_new(BIO_get_new_index() | camqp_BIO_TYPE_SOURCE_SINK, "swift-amqp-bytebuffer")!
        BIO_meth_set_write_ex(method) { bio, data, length, written in
            guard let bio, let data, let pointer = BIO_get_data(bio) else { return 0 }
            let buffers = Unmanaged<TLSBuffers>.fromOpaque(pointer).takeUnretainedValue()
            buffers.outbound.writeBytes(UnsafeRawBufferPointer(start: data, count: length))
            written?.pointee = length
            return 1
        }
        BIO_meth_set_read_ex(method) { bio, data, length, read in
            guard let bio, let data, let pointer = BIO_get_data(bio) else { return 0 }
            let buffers = Unmanaged<TLSBuffers>.fromOpaque(pointer).takeUnretainedValue()
            camqp_BIO_clear_retry_flags(bio)
            let count = min(length, buffers.inbound.readableBytes)
            guard count > 0 else {
                // Nothing yet: "try again", which OpenSSL reports as SSL_ERROR_WANT_READ.
                camqp_BIO_set_retry_read(bio)
                read?.pointee = 0
                return 0
            }
            buffers.inbound.withUnsafeReadableBytes { bytes in
                UnsafeMutableRawPointer(data).copyMemory(from: bytes.baseAddress!, byteCount: count)
            }
            buffers.inbound.moveReaderIndex(forwardBy: count)
            read?.pointee = count
            return 1
        }
        BIO_meth_set_ctrl(method) { _, command, _, _ in
            // Writes never wait, so a flush is always done; nothing else is supported.
            command == camqp_BIO_CTRL_FLUSH ? 1 : 0
        }
        BIO_meth_set_create(method) { bio in
            BIO_set_init(bio, 1)
            return 1
        }
        BIO_meth_set_destroy(method) { _ in 1 }
        return method
    }()

    /// A BIO over `buffers`; the caller keeps `buffers` alive while the BIO is in use.
    static func make(_ buffers: TLSBuffers) -> OpaquePointer {
        let bio = BIO_new(method)!
        BIO_set_data(bio, Unmanaged.passUnretained(buffers).toOpaque())
        return bio
    }
}
