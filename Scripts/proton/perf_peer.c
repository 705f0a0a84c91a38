/*
 * perf_peer: a Qpid Proton C (proactor API) throughput peer for Scripts/bench-vs-proton.sh.
 *
 *   perf_peer sink    HOST PORT [CREDIT]
 *       Listens. Accepts every connection, session and link. Links on which the peer sends
 *       get CREDIT (default 1000), topped up whenever it drops below half; every unsettled
 *       delivery is accepted and settled, pre-settled ones are settled locally. Serves any
 *       number of connections until SIGTERM/SIGINT.
 *   perf_peer source  HOST PORT SIZE
 *       Listens. Links on which the peer receives get messages with a SIZE-byte data body
 *       (encoded once), as fast as credit allows: pre-settled when the receiver's attach asked
 *       for snd-settle-mode settled or when the link's source address starts with
 *       "presettled" (for receivers that cannot ask: our attach then declares snd-settle-mode
 *       settled), else unsettled and settled when the peer's outcome arrives. Runs until
 *       SIGTERM/SIGINT.
 *   perf_peer send    HOST PORT ADDRESS COUNT SIZE [presettled]
 *       Connects (SASL ANONYMOUS), attaches a sender to ADDRESS and sends COUNT messages
 *       (encoded once) as credit allows. Unsettled: waits until the peer has settled every
 *       one. Pre-settled: closes the link after the last send and waits for the peer's detach
 *       (which follows the last transfer, so every message has reached the peer).
 *   perf_peer receive HOST PORT ADDRESS COUNT CREDIT [presettled]
 *       Connects, attaches a receiver from ADDRESS with CREDIT kept topped up (asking for
 *       snd-settle-mode settled with `presettled`), receives COUNT messages (accepting each
 *       unsettled one). Message bodies are copied out of the engine
 *       but not decoded, except the last one (to report its body size).
 *
 * send and receive print one JSON line, the same as `amqp send/receive --json`:
 *   {"count": N, "size": S, "seconds": T, "msgs_per_s": R, "mb_per_s": M,
 *    "cpu_us_per_msg": C, "error": null}
 * seconds: wall time from the link's attach (the peer's attach received) to the last
 * settlement (unsettled send), the peer's detach (pre-settled send) or the last message
 * (receive); cpu: getrusage(RUSAGE_SELF) user + system over the same interval, per message.
 * count: accepted messages (send) or received messages (receive). Exit status 1 on failure,
 * with "error" set.
 *
 * Environment: PERF_PEER_MAX_FRAME=N sets the largest frame this end accepts (the peer then
 * splits larger transfers into several frames); by default Proton's (no limit).
 *
 * Build: Scripts/proton/build-perf-peer.sh (gcc -O2, pkg-config libqpid-proton, -lpthread).
 */
#define _GNU_SOURCE
#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/link.h>
#include <proton/listener.h>
#include <proton/message.h>
#include <proton/netaddr.h>
#include <proton/proactor.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/terminus.h>
#include <proton/transport.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

enum mode { MODE_SINK, MODE_SOURCE, MODE_SEND, MODE_RECEIVE };

struct peer {
    enum mode mode;
    const char *host, *port, *address;
    long count;        /* send / receive: messages to transfer */
    size_t size;       /* source / send: body bytes */
    int credit;        /* sink / receive: credit window */
    bool presettled;   /* send */

    pn_proactor_t *proactor;
    pn_listener_t *listener;

    char *encoded;     /* source / send: the message, encoded once */
    size_t encoded_size;
    uint64_t next_tag;

    char *buffer;      /* incoming bytes: a scratch buffer (sink) or the current message */
    size_t buffer_capacity, buffer_used;

    /* send / receive statistics */
    long sent, settled, accepted, received;
    size_t last_size;
    bool started, finished;
    double wall_start, cpu_start, wall_end, cpu_end;
    char error[512];
};

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_now(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6
         + (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

static void fail(struct peer *p, const char *format, ...) {
    if (p->error[0]) return; /* keep the first error */
    va_list args;
    va_start(args, format);
    vsnprintf(p->error, sizeof p->error, format, args);
    va_end(args);
}

static void die(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("perf_peer: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(2);
}

/* Condition text for errors ("name: description"); NULL when the condition is not set. */
static const char *condition_text(pn_condition_t *condition, char *out, size_t capacity) {
    if (!condition || !pn_condition_is_set(condition)) return NULL;
    const char *name = pn_condition_get_name(condition);
    const char *description = pn_condition_get_description(condition);
    snprintf(out, capacity, "%s: %s", name ? name : "?", description ? description : "");
    return out;
}

/* PERF_PEER_MAX_FRAME=N: the largest frame this end accepts (default: Proton's, no limit),
 * so that the peer splits larger transfers; for testing multi-frame deliveries. */
static void configure_transport(pn_transport_t *transport) {
    const char *text = getenv("PERF_PEER_MAX_FRAME");
    if (text && *text) pn_transport_set_max_frame(transport, (uint32_t)strtoul(text, NULL, 10));
}

static void ensure_buffer(struct peer *p, size_t needed) {
    if (needed <= p->buffer_capacity) return;
    size_t capacity = p->buffer_capacity ? p->buffer_capacity : 65536;
    while (capacity < needed) capacity *= 2;
    char *grown = realloc(p->buffer, capacity);
    if (!grown) die("out of memory (%zu bytes)", capacity);
    p->buffer = grown;
    p->buffer_capacity = capacity;
}

/* The message every sender transfers: a data section of SIZE bytes ('a'), encoded once. */
static void encode_message(struct peer *p) {
    pn_message_t *message = pn_message();
    char *body = malloc(p->size ? p->size : 1);
    if (!message || !body) die("out of memory");
    memset(body, 'a', p->size);
    pn_message_set_inferred(message, true); /* a binary body becomes a data section */
    pn_data_put_binary(pn_message_body(message), pn_bytes(p->size, body));
    size_t capacity = p->size + 256;
    for (;;) {
        p->encoded = realloc(p->encoded, capacity);
        if (!p->encoded) die("out of memory");
        size_t length = capacity;
        int status = pn_message_encode(message, p->encoded, &length);
        if (status == 0) {
            p->encoded_size = length;
            break;
        }
        if (status != PN_OVERFLOW) die("pn_message_encode: %s", pn_code(status));
        capacity *= 2;
    }
    free(body);
    pn_message_free(message);
}

/* One transfer of the pre-encoded message on sender link `link`. */
static void send_one(struct peer *p, pn_link_t *link, bool settle_now) {
    uint64_t tag = p->next_tag++;
    pn_delivery_t *delivery = pn_delivery(link, pn_dtag((const char *)&tag, sizeof tag));
    ssize_t written = pn_link_send(link, p->encoded, p->encoded_size);
    if (written < 0) die("pn_link_send: %s", pn_code((int)written));
    pn_link_advance(link);
    if (settle_now) pn_delivery_settle(delivery);
}

static void keep_credit(pn_link_t *link, int window) {
    int credit = pn_link_credit(link);
    if (credit < window / 2) pn_link_flow(link, window - credit);
}

static void start_clock(struct peer *p) {
    if (p->started) return;
    p->started = true;
    p->wall_start = wall_now();
    p->cpu_start = cpu_now();
}

static void stop_clock(struct peer *p) {
    if (p->finished) return;
    p->finished = true;
    p->wall_end = wall_now();
    p->cpu_end = cpu_now();
}

/* Reads what `delivery` has pending (receiver side). Returns true when the message is
 * complete. `keep` appends the bytes to p->buffer (the current message); otherwise they are
 * read into a scratch buffer and dropped. */
static bool drain_delivery(struct peer *p, pn_link_t *link, pn_delivery_t *delivery, bool keep) {
    for (;;) {
        size_t pending = pn_delivery_pending(delivery);
        if (keep) ensure_buffer(p, p->buffer_used + (pending ? pending : 1));
        else ensure_buffer(p, 65536);
        char *into = keep ? p->buffer + p->buffer_used : p->buffer;
        size_t room = keep ? p->buffer_capacity - p->buffer_used : p->buffer_capacity;
        ssize_t n = pn_link_recv(link, into, room);
        if (n > 0) {
            if (keep) p->buffer_used += (size_t)n;
            continue;
        }
        if (n == PN_EOS || n == 0) break;
        if (n == PN_ABORTED) return true; /* caller checks pn_delivery_aborted */
        die("pn_link_recv: %s", pn_code((int)n));
    }
    return !pn_delivery_partial(delivery);
}

/* ---- server side (sink, source) ---- */

static void server_link_opened(struct peer *p, pn_link_t *link) {
    if (pn_link_state(link) & PN_LOCAL_ACTIVE) return;
    pn_terminus_copy(pn_link_source(link), pn_link_remote_source(link));
    pn_terminus_copy(pn_link_target(link), pn_link_remote_target(link));
    if (pn_link_is_receiver(link)) {
        pn_link_open(link);
        pn_link_flow(link, p->credit);
    } else if (p->mode == MODE_SOURCE) {
        /* pre-settled when the receiver asked for it, or when the source address starts with
         * "presettled" (for receivers that cannot ask; the sender's attach decides) */
        const char *address = pn_terminus_get_address(pn_link_remote_source(link));
        bool presettled = pn_link_remote_snd_settle_mode(link) == PN_SND_SETTLED
                       || (address && !strncmp(address, "presettled", strlen("presettled")));
        pn_link_set_snd_settle_mode(link, presettled ? PN_SND_SETTLED : PN_SND_UNSETTLED);
        pn_link_open(link);
    } else {
        pn_link_open(link);
        pn_condition_set_name(pn_link_condition(link), "amqp:not-implemented");
        pn_condition_set_description(pn_link_condition(link), "perf_peer sink does not send");
        pn_link_close(link);
    }
}

static void source_pump(struct peer *p, pn_link_t *link) {
    if (!pn_link_is_sender(link) || p->mode != MODE_SOURCE) return;
    if (!(pn_link_state(link) & PN_LOCAL_ACTIVE) || !(pn_link_state(link) & PN_REMOTE_ACTIVE)) return;
    bool settled = pn_link_snd_settle_mode(link) == PN_SND_SETTLED;
    while (pn_link_credit(link) > 0) send_one(p, link, settled);
}

static void server_delivery(struct peer *p, pn_delivery_t *delivery) {
    pn_link_t *link = pn_delivery_link(delivery);
    if (pn_link_is_receiver(link)) {
        if (!pn_delivery_readable(delivery)) return;
        bool complete = drain_delivery(p, link, delivery, false);
        if (pn_delivery_aborted(delivery)) {
            pn_delivery_settle(delivery);
        } else if (complete) {
            if (!pn_delivery_settled(delivery)) pn_delivery_update(delivery, PN_ACCEPTED);
            pn_delivery_settle(delivery);
        } else {
            return;
        }
        keep_credit(link, p->credit);
    } else if (pn_delivery_updated(delivery)) {
        /* the receiver's outcome (or its settlement) for one of our transfers */
        if (pn_delivery_settled(delivery) || pn_delivery_remote_state(delivery) != 0)
            pn_delivery_settle(delivery);
    }
}

static bool handle_server(struct peer *p, pn_event_t *event) {
    switch (pn_event_type(event)) {
    case PN_LISTENER_OPEN: {
        char port[PN_MAX_ADDR];
        pn_netaddr_host_port(pn_listener_addr(pn_event_listener(event)), NULL, 0, port, sizeof port);
        printf("perf_peer %s listening on %s:%s\n", p->mode == MODE_SINK ? "sink" : "source", p->host, port);
        fflush(stdout);
        break;
    }
    case PN_LISTENER_ACCEPT: {
        pn_transport_t *transport = pn_transport();
        pn_transport_set_server(transport);
        pn_sasl_allowed_mechs(pn_sasl(transport), "ANONYMOUS");
        pn_transport_require_auth(transport, false); /* clients without SASL are fine too */
        configure_transport(transport);
        pn_listener_accept2(pn_event_listener(event), NULL, transport);
        break;
    }
    case PN_LISTENER_CLOSE: {
        char text[512];
        const char *why = condition_text(pn_listener_condition(pn_event_listener(event)), text, sizeof text);
        if (why) {
            fprintf(stderr, "perf_peer: listener on %s:%s: %s\n", p->host, p->port, why);
            exit(1);
        }
        return false;
    }
    case PN_PROACTOR_INTERRUPT: /* SIGTERM / SIGINT */
        return false;
    case PN_CONNECTION_REMOTE_OPEN: {
        pn_connection_t *connection = pn_event_connection(event);
        if (!(pn_connection_state(connection) & PN_LOCAL_ACTIVE)) pn_connection_open(connection);
        break;
    }
    case PN_SESSION_REMOTE_OPEN: {
        pn_session_t *session = pn_event_session(event);
        if (!(pn_session_state(session) & PN_LOCAL_ACTIVE)) pn_session_open(session);
        break;
    }
    case PN_LINK_REMOTE_OPEN: {
        pn_link_t *link = pn_event_link(event);
        server_link_opened(p, link);
        source_pump(p, link);
        break;
    }
    case PN_LINK_FLOW:
        source_pump(p, pn_event_link(event));
        break;
    case PN_DELIVERY:
        server_delivery(p, pn_event_delivery(event));
        break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH: {
        pn_link_t *link = pn_event_link(event);
        if (!(pn_link_state(link) & PN_LOCAL_CLOSED)) {
            if (pn_event_type(event) == PN_LINK_REMOTE_DETACH) pn_link_detach(link);
            else pn_link_close(link);
        }
        break;
    }
    case PN_LINK_FINAL:
        break;
    case PN_SESSION_REMOTE_CLOSE: {
        pn_session_t *session = pn_event_session(event);
        if (!(pn_session_state(session) & PN_LOCAL_CLOSED)) pn_session_close(session);
        break;
    }
    case PN_CONNECTION_REMOTE_CLOSE: {
        pn_connection_t *connection = pn_event_connection(event);
        if (!(pn_connection_state(connection) & PN_LOCAL_CLOSED)) pn_connection_close(connection);
        break;
    }
    default:
        break;
    }
    return true;
}

/* ---- client side (send, receive) ---- */

static void client_finish(struct peer *p, pn_connection_t *connection) {
    stop_clock(p);
    if (connection && !(pn_connection_state(connection) & PN_LOCAL_CLOSED)) pn_connection_close(connection);
}

static void client_send_delivery(struct peer *p, pn_delivery_t *delivery) {
    if (!pn_delivery_updated(delivery)) return;
    uint64_t state = pn_delivery_remote_state(delivery);
    if (!pn_delivery_settled(delivery) && state == 0) return; /* nothing final yet */
    if (state == PN_ACCEPTED) {
        p->accepted++;
    } else {
        fail(p, "message not accepted: outcome %s", pn_disposition_type_name(state));
    }
    p->settled++;
    pn_delivery_settle(delivery);
    if (p->settled == p->count) {
        pn_link_t *link = pn_delivery_link(delivery);
        stop_clock(p);
        pn_link_close(link);
        pn_connection_close(pn_session_connection(pn_link_session(link)));
    }
}

static void client_send_pump(struct peer *p, pn_link_t *link) {
    if (!p->started || p->finished) return;
    if (!(pn_link_state(link) & PN_LOCAL_ACTIVE)) return;
    while (p->sent < p->count && pn_link_credit(link) > 0) {
        send_one(p, link, p->presettled);
        p->sent++;
    }
    if (p->presettled && p->sent == p->count) {
        /* every transfer is queued; the peer's detach answers after the last one */
        p->accepted = p->sent;
        if (!(pn_link_state(link) & PN_LOCAL_CLOSED)) pn_link_close(link);
    }
}

static void client_receive_delivery(struct peer *p, pn_delivery_t *delivery) {
    pn_link_t *link = pn_delivery_link(delivery);
    if (!pn_delivery_readable(delivery) || p->finished) return;
    bool complete = drain_delivery(p, link, delivery, true);
    if (pn_delivery_aborted(delivery)) {
        p->buffer_used = 0;
        pn_delivery_settle(delivery);
        keep_credit(link, p->credit);
        return;
    }
    if (!complete) return;
    if (!pn_delivery_settled(delivery)) pn_delivery_update(delivery, PN_ACCEPTED);
    pn_delivery_settle(delivery);
    p->received++;
    if (p->received == p->count) {
        stop_clock(p);
        /* the body size of the last message (decoded once, outside the timed interval) */
        pn_message_t *message = pn_message();
        if (pn_message_decode(message, p->buffer, p->buffer_used) == 0) {
            pn_data_t *body = pn_message_body(message);
            pn_data_rewind(body);
            if (pn_data_next(body) && pn_data_type(body) == PN_BINARY) p->last_size = pn_data_get_binary(body).size;
            else if (pn_data_type(body) == PN_STRING) p->last_size = pn_data_get_string(body).size;
            else p->last_size = p->buffer_used;
        } else {
            fail(p, "the last message does not decode");
        }
        pn_message_free(message);
        pn_link_close(link);
        pn_connection_close(pn_session_connection(pn_link_session(link)));
    } else {
        keep_credit(link, p->credit);
    }
    p->buffer_used = 0;
}

static bool handle_client(struct peer *p, pn_event_t *event) {
    char text[512];
    switch (pn_event_type(event)) {
    case PN_CONNECTION_INIT: {
        pn_connection_t *connection = pn_event_connection(event);
        pn_connection_set_container(connection, p->mode == MODE_SEND ? "perf_peer-send" : "perf_peer-receive");
        pn_connection_set_hostname(connection, p->host);
        pn_connection_open(connection);
        pn_session_t *session = pn_session(connection);
        pn_session_open(session);
        pn_link_t *link;
        if (p->mode == MODE_SEND) {
            link = pn_sender(session, "perf_peer-sender");
            pn_terminus_set_address(pn_link_target(link), p->address);
            pn_link_set_snd_settle_mode(link, p->presettled ? PN_SND_SETTLED : PN_SND_UNSETTLED);
        } else {
            link = pn_receiver(session, "perf_peer-receiver");
            pn_terminus_set_address(pn_link_source(link), p->address);
            if (p->presettled) pn_link_set_snd_settle_mode(link, PN_SND_SETTLED);
        }
        pn_link_open(link);
        if (p->mode == MODE_RECEIVE) pn_link_flow(link, p->credit);
        break;
    }
    case PN_LINK_REMOTE_OPEN: {
        pn_link_t *link = pn_event_link(event);
        bool refused = p->mode == MODE_SEND ? pn_terminus_get_type(pn_link_remote_target(link)) == PN_UNSPECIFIED
                                            : pn_terminus_get_type(pn_link_remote_source(link)) == PN_UNSPECIFIED;
        if (refused) break; /* an attach with a null terminus: the detach with the reason follows */
        start_clock(p);
        if (p->mode == MODE_SEND) client_send_pump(p, link);
        break;
    }
    case PN_LINK_FLOW:
        if (p->mode == MODE_SEND) client_send_pump(p, pn_event_link(event));
        break;
    case PN_DELIVERY:
        if (p->mode == MODE_SEND) client_send_delivery(p, pn_event_delivery(event));
        else client_receive_delivery(p, pn_event_delivery(event));
        break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH: {
        pn_link_t *link = pn_event_link(event);
        const char *why = condition_text(pn_link_remote_condition(link), text, sizeof text);
        if (why) fail(p, "link detached by the peer: %s", why);
        else if (!p->finished && !(p->mode == MODE_SEND && p->presettled && p->sent == p->count))
            fail(p, "link detached by the peer after %ld messages", p->mode == MODE_SEND ? p->settled : p->received);
        if (!(pn_link_state(link) & PN_LOCAL_CLOSED)) pn_link_close(link);
        client_finish(p, pn_session_connection(pn_link_session(link)));
        break;
    }
    case PN_SESSION_REMOTE_CLOSE: {
        pn_session_t *session = pn_event_session(event);
        const char *why = condition_text(pn_session_remote_condition(session), text, sizeof text);
        if (!p->finished) fail(p, "session ended by the peer%s%s", why ? ": " : "", why ? why : "");
        client_finish(p, pn_session_connection(session));
        break;
    }
    case PN_CONNECTION_REMOTE_CLOSE: {
        pn_connection_t *connection = pn_event_connection(event);
        const char *why = condition_text(pn_connection_remote_condition(connection), text, sizeof text);
        if (!p->finished) fail(p, "connection closed by the peer%s%s", why ? ": " : "", why ? why : "");
        client_finish(p, connection);
        break;
    }
    case PN_TRANSPORT_CLOSED: {
        const char *why = condition_text(pn_transport_condition(pn_event_transport(event)), text, sizeof text);
        if (!p->finished) fail(p, "transport closed%s%s", why ? ": " : "", why ? why : "");
        stop_clock(p);
        break;
    }
    case PN_PROACTOR_INACTIVE:
        return false;
    default:
        break;
    }
    return true;
}

/* ---- main ---- */

static void *signal_thread(void *argument) {
    struct peer *p = argument;
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    int received;
    if (sigwait(&signals, &received) == 0) pn_proactor_interrupt(p->proactor);
    return NULL;
}

static long parse_long(const char *text, const char *what, long minimum) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || *end || end == text || value < minimum) die("bad %s: %s", what, text);
    return value;
}

static void usage(void) {
    fputs("usage: perf_peer sink HOST PORT [CREDIT]\n"
          "       perf_peer source HOST PORT SIZE\n"
          "       perf_peer send HOST PORT ADDRESS COUNT SIZE [presettled]\n"
          "       perf_peer receive HOST PORT ADDRESS COUNT CREDIT [presettled]\n", stderr);
    exit(2);
}

static void print_result(struct peer *p) {
    long count = p->mode == MODE_SEND ? p->accepted : p->received;
    long expected = p->count;
    size_t size = p->mode == MODE_SEND ? p->size : p->last_size;
    if (!p->error[0] && count != expected) fail(p, "%ld of %ld messages", count, expected);
    if (!p->finished) stop_clock(p);
    double seconds = p->started ? p->wall_end - p->wall_start : 0;
    double cpu = p->started ? p->cpu_end - p->cpu_start : 0;
    double rate = seconds > 0 ? (double)count / seconds : 0;
    double cpu_per = count > 0 ? cpu * 1e6 / (double)count : 0;
    printf("{\"count\": %ld, \"size\": %zu, \"seconds\": %.6f, \"msgs_per_s\": %.1f, \"mb_per_s\": %.2f, "
           "\"cpu_us_per_msg\": %.3f, \"error\": ",
           count, size, seconds, rate, rate * (double)size / 1e6, cpu_per);
    if (p->error[0]) {
        putchar('"');
        for (const char *c = p->error; *c; c++) {
            if (*c == '"' || *c == '\\') printf("\\%c", *c);
            else if ((unsigned char)*c < 0x20) printf("\\u%04x", *c);
            else putchar(*c);
        }
        puts("\"}");
    } else {
        puts("null}");
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    struct peer p = {0};
    p.credit = 1000;
    if (argc < 4) usage();
    const char *mode = argv[1];
    p.host = argv[2];
    p.port = argv[3];
    if (!strcmp(mode, "sink")) {
        p.mode = MODE_SINK;
        if (argc > 5) usage();
        if (argc == 5) p.credit = (int)parse_long(argv[4], "CREDIT", 1);
    } else if (!strcmp(mode, "source")) {
        p.mode = MODE_SOURCE;
        if (argc != 5) usage();
        p.size = (size_t)parse_long(argv[4], "SIZE", 0);
    } else if (!strcmp(mode, "send")) {
        p.mode = MODE_SEND;
        if (argc != 7 && argc != 8) usage();
        p.address = argv[4];
        p.count = parse_long(argv[5], "COUNT", 1);
        p.size = (size_t)parse_long(argv[6], "SIZE", 0);
        if (argc == 8) {
            if (strcmp(argv[7], "presettled")) usage();
            p.presettled = true;
        }
    } else if (!strcmp(mode, "receive")) {
        p.mode = MODE_RECEIVE;
        if (argc != 7 && argc != 8) usage();
        p.address = argv[4];
        p.count = parse_long(argv[5], "COUNT", 1);
        p.credit = (int)parse_long(argv[6], "CREDIT", 1);
        if (argc == 8) {
            if (strcmp(argv[7], "presettled")) usage();
            p.presettled = true;
        }
    } else {
        usage();
    }

    if (p.mode == MODE_SOURCE || p.mode == MODE_SEND) encode_message(&p);

    p.proactor = pn_proactor();
    if (!p.proactor) die("pn_proactor failed");
    char address[PN_MAX_ADDR];
    pn_proactor_addr(address, sizeof address, p.host, p.port);

    bool server = p.mode == MODE_SINK || p.mode == MODE_SOURCE;
    if (server) {
        /* SIGTERM / SIGINT go to a thread that interrupts the proactor: a clean stop */
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGTERM);
        sigaddset(&signals, SIGINT);
        pthread_sigmask(SIG_BLOCK, &signals, NULL);
        pthread_t thread;
        if (pthread_create(&thread, NULL, signal_thread, &p) != 0) die("pthread_create failed");
        pthread_detach(thread);
        p.listener = pn_listener();
        pn_proactor_listen(p.proactor, p.listener, address, 128);
    } else {
        pn_transport_t *transport = pn_transport();
        pn_sasl_allowed_mechs(pn_sasl(transport), "ANONYMOUS");
        configure_transport(transport);
        pn_proactor_connect2(p.proactor, NULL, transport, address);
    }

    bool running = true;
    while (running) {
        pn_event_batch_t *batch = pn_proactor_wait(p.proactor);
        pn_event_t *event;
        while (running && (event = pn_event_batch_next(batch)))
            running = server ? handle_server(&p, event) : handle_client(&p, event);
        pn_proactor_done(p.proactor, batch);
    }

    int status = 0;
    if (!server) {
        print_result(&p);
        status = p.error[0] ? 1 : 0;
    }
    pn_proactor_free(p.proactor);
    free(p.encoded);
    free(p.buffer);
    return status;
}
