/*
 * codec_bench: time Qpid Proton's (core) AMQP message codec.
 *
 *   codec_bench decode       FILE ITER [noclear]
 *   codec_bench encode       FILE ITER
 *   codec_bench frame-decode FILE ITER
 *
 * decode        FILE holds one encoded AMQP message (sections only).  Each
 *               operation is pn_message_clear + pn_message_decode into a reused
 *               pn_message_t, then reads the message-id, subject, content-type,
 *               walks the application-properties pn_data_t and reads the first
 *               and last byte of the body.  (pn_message_decode in proton 0.37 is
 *               not lazy: header/properties go into C fields, annotations,
 *               application-properties and body are fully decoded into
 *               pn_data_t trees.  pn_message_decode does not reset fields that
 *               are absent from the input, hence the clear; pass "noclear" to
 *               time pn_message_decode alone.)
 * encode        FILE is decoded once; each operation is pn_message_encode into
 *               a reused buffer.
 * frame-decode  FILE holds one complete transfer frame (frame header, transfer
 *               performative, message payload).  Each operation reads the frame
 *               header, pn_data_decode's the performative into a reused
 *               pn_data_t and extracts handle/delivery-id/delivery-tag/
 *               message-format/settled, then does the "decode" operation on
 *               the payload.
 *
 * Timing: CLOCK_MONOTONIC, a warm-up of max(ITER/10, 100) operations, then 5
 * repetitions of ITER operations; the best repetition is reported on stdout as
 *   proton <mode> ns/op=<x> ops=<ITER>
 * (all repetitions go to stderr).
 */
#define _POSIX_C_SOURCE 200809L

#include <proton/codec.h>
#include <proton/message.h>
#include <proton/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPS 5

static volatile uint64_t sink;

static void die(const char *fmt, const char *arg) {
  fprintf(stderr, "codec_bench: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n");
  exit(1);
}

static char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open %s", path);
  if (fseek(f, 0, SEEK_END) != 0) die("cannot seek %s", path);
  long n = ftell(f);
  if (n <= 0) die("empty or unreadable file %s", path);
  rewind(f);
  char *buf = malloc((size_t)n);
  if (!buf) die("out of memory reading %s", path);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) die("short read from %s", path);
  fclose(f);
  *size = (size_t)n;
  return buf;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- message decode ---------------------------------------------------- */

typedef struct {
  pn_message_t *msg;
  const char *bytes;
  size_t size;
  int clear;
} decode_ctx_t;

static uint64_t touch_message(pn_message_t *msg) {
  uint64_t acc = 0;
  pn_atom_t id = pn_message_get_id(msg);
  acc += (uint64_t)id.type;
  if (id.type == PN_STRING || id.type == PN_BINARY || id.type == PN_SYMBOL)
    acc += id.u.as_bytes.size;
  const char *subject = pn_message_get_subject(msg);
  if (subject) acc += (uint8_t)subject[0];
  const char *ctype = pn_message_get_content_type(msg);
  if (ctype) acc += (uint8_t)ctype[0];
  acc += (uint64_t)pn_message_get_creation_time(msg);

  pn_data_t *props = pn_message_properties(msg);
  pn_data_rewind(props);
  if (pn_data_next(props) && pn_data_type(props) == PN_MAP) {
    pn_data_enter(props);
    while (pn_data_next(props)) {
      pn_type_t t = pn_data_type(props);
      if (t == PN_STRING) acc += pn_data_get_string(props).size;
      else if (t == PN_LONG) acc += (uint64_t)pn_data_get_long(props);
      else if (t == PN_INT) acc += (uint64_t)pn_data_get_int(props);
      else acc += (uint64_t)t;
    }
    pn_data_exit(props);
  }

  pn_data_t *body = pn_message_body(msg);
  pn_data_rewind(body);
  if (pn_data_next(body) && pn_data_type(body) == PN_BINARY) {
    pn_bytes_t b = pn_data_get_binary(body);
    acc += b.size;
    if (b.size) acc += (uint8_t)b.start[0] + (uint8_t)b.start[b.size - 1];
  }
  return acc;
}

static void decode_once(decode_ctx_t *c) {
  if (c->clear) pn_message_clear(c->msg);
  int err = pn_message_decode(c->msg, c->bytes, c->size);
  if (err) die("pn_message_decode failed: %s", pn_error_text(pn_message_error(c->msg)));
  sink += touch_message(c->msg);
}

/* ---- message encode ---------------------------------------------------- */

typedef struct {
  pn_message_t *msg;
  char *out;
  size_t cap;
  size_t expect;
} encode_ctx_t;

static void encode_once(encode_ctx_t *c) {
  size_t sz = c->cap;
  int err = pn_message_encode(c->msg, c->out, &sz);
  if (err) die("pn_message_encode failed (%s)", err == PN_OVERFLOW ? "overflow" : "error");
  if (sz != c->expect) die("pn_message_encode produced an unexpected size%s", "");
  sink += sz + (uint8_t)c->out[sz - 1];
}

/* ---- transfer frame decode --------------------------------------------- */

typedef struct {
  pn_data_t *perf;
  decode_ctx_t msg;
  const uint8_t *frame;
  size_t size;
} frame_ctx_t;

static uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void frame_once(frame_ctx_t *c) {
  const uint8_t *f = c->frame;
  uint32_t size = be32(f);
  unsigned doff = f[4];
  if (size > c->size || doff < 2 || doff * 4u > size || f[5] != 0)
    die("not a single AMQP frame%s", "");
  uint16_t channel = (uint16_t)((f[6] << 8) | f[7]);
  const char *body = (const char *)f + doff * 4u;
  size_t body_size = size - doff * 4u;

  pn_data_clear(c->perf);
  ssize_t n = pn_data_decode(c->perf, body, body_size);
  if (n < 0) die("pn_data_decode of the performative failed: %s", pn_error_text(pn_data_error(c->perf)));

  /* described(ulong 0x14, list[handle, delivery-id, delivery-tag, message-format, settled, ...]) */
  pn_data_t *d = c->perf;
  uint64_t acc = channel;
  pn_data_rewind(d);
  if (!pn_data_next(d) || pn_data_type(d) != PN_DESCRIBED) die("performative is not described%s", "");
  pn_data_enter(d);
  pn_data_next(d);
  if (pn_data_get_ulong(d) != 0x14) die("not a transfer performative%s", "");
  pn_data_next(d);
  if (pn_data_type(d) != PN_LIST) die("transfer body is not a list%s", "");
  pn_data_enter(d);
  int field = 0;
  while (pn_data_next(d)) {
    switch (field) {
      case 0: acc += pn_data_get_uint(d); break;                 /* handle */
      case 1: acc += pn_data_get_uint(d); break;                 /* delivery-id */
      case 2: acc += pn_data_get_binary(d).size; break;          /* delivery-tag */
      case 3: acc += pn_data_get_uint(d); break;                 /* message-format */
      case 4: acc += pn_data_get_bool(d); break;                 /* settled */
      default: acc += (uint64_t)pn_data_type(d); break;
    }
    field++;
  }
  pn_data_exit(d);
  pn_data_exit(d);
  sink += acc;

  c->msg.bytes = body + n;
  c->msg.size = body_size - (size_t)n;
  decode_once(&c->msg);
}

/* ---- driver ------------------------------------------------------------ */

typedef void (*op_fn)(void *);

static double run(op_fn fn, void *ctx, long iters) {
  long warm = iters / 10 > 100 ? iters / 10 : 100;
  for (long i = 0; i < warm; i++) fn(ctx);
  double best = 0;
  for (int r = 0; r < REPS; r++) {
    uint64_t t0 = now_ns();
    for (long i = 0; i < iters; i++) fn(ctx);
    uint64_t t1 = now_ns();
    double ns = (double)(t1 - t0) / (double)iters;
    fprintf(stderr, "  rep %d: %.1f ns/op\n", r + 1, ns);
    if (r == 0 || ns < best) best = ns;
  }
  return best;
}

static void usage(void) {
  fprintf(stderr,
          "usage: codec_bench decode FILE ITER [noclear]\n"
          "       codec_bench encode FILE ITER\n"
          "       codec_bench frame-decode FILE ITER\n");
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 5) usage();
  const char *mode = argv[1];
  size_t size = 0;
  char *bytes = read_file(argv[2], &size);
  errno = 0;
  char *end = NULL;
  long iters = strtol(argv[3], &end, 10);
  if (errno || !end || *end || iters <= 0) usage();
  int clear = 1;
  if (argc == 5) {
    if (strcmp(argv[4], "noclear") == 0 && strcmp(mode, "decode") == 0) clear = 0;
    else usage();
  }

  double best;
  if (strcmp(mode, "decode") == 0) {
    decode_ctx_t c = {pn_message(), bytes, size, clear};
    best = run((op_fn)decode_once, &c, iters);
    pn_message_free(c.msg);
  } else if (strcmp(mode, "encode") == 0) {
    encode_ctx_t c;
    c.msg = pn_message();
    if (pn_message_decode(c.msg, bytes, size))
      die("pn_message_decode failed: %s", pn_error_text(pn_message_error(c.msg)));
    c.cap = size * 2 + 1024;
    c.out = malloc(c.cap);
    if (!c.out) die("out of memory%s", "");
    size_t sz = c.cap;
    if (pn_message_encode(c.msg, c.out, &sz)) die("pn_message_encode failed%s", "");
    c.expect = sz;
    if (sz != size)
      fprintf(stderr, "note: re-encoded message is %zu bytes, input was %zu\n", sz, size);
    best = run((op_fn)encode_once, &c, iters);
    free(c.out);
    pn_message_free(c.msg);
  } else if (strcmp(mode, "frame-decode") == 0) {
    frame_ctx_t c;
    c.perf = pn_data(16);
    c.msg.msg = pn_message();
    c.msg.clear = clear;
    c.frame = (const uint8_t *)bytes;
    c.size = size;
    if (size < 8 || be32(c.frame) != size)
      fprintf(stderr, "note: frame size field %u, file has %zu bytes\n", size >= 8 ? be32(c.frame) : 0, size);
    best = run((op_fn)frame_once, &c, iters);
    pn_message_free(c.msg.msg);
    pn_data_free(c.perf);
  } else {
    usage();
    return 2;
  }
  printf("proton %s ns/op=%.1f ops=%ld\n", mode, best, iters);
  free(bytes);
  return 0;
}
