#include "verify/identity/grpc_client.h"
#include "hook/base/cleanup.h"
#include "hook/base/log.h"

#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* gRPC framing: 1 byte "compressed" flag, 4 bytes big-endian length. */
#define GRPC_PREFIX_BYTES 5
#define MAX_META 8
#define GRPC_MESSAGE_MAX 256
/* Receive window we grant: big enough that a typical response needs no
 * WINDOW_UPDATE round trip, while the message limit still bounds memory. */
#define RECV_WINDOW_BYTES (1 << 20)

struct call {
	int32_t stream_id;
	const uint8_t *req;		/* gRPC-framed request */
	size_t req_len, req_off;
	uint8_t *body;			/* gRPC-framed response as received */
	size_t body_len, body_cap;
	int http_status;
	int content_type_ok, saw_content_type;
	int grpc_status;		/* -1 until the header arrives */
	char grpc_message[GRPC_MESSAGE_MAX];
	int closed;
	uint32_t close_error;
	og_error *e;			/* where callbacks record a failure */
	int failed;
};

struct og_grpc_conn {
	int fd;
	nghttp2_session *session;
	long deadline;			/* CLOCK_MONOTONIC, ms */
	int timeout_ms;
	size_t received;		/* bytes read from the socket, all calls */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct call *call;		/* the call in progress, or NULL */
	int broken;			/* a call failed: its stream may still reference freed
					 * request memory, so the connection takes no more calls */
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Milliseconds left before the deadline, or -1 (with the error) when none. */
static int remaining(const struct og_grpc_conn *c, const char *doing, og_error *e)
{
	long left = c->deadline - now_ms();

	if (left <= 0)
		return og_fail(e, "%s: %s: no answer within %d ms", c->path, doing, c->timeout_ms);
	return (int)left;
}

/* Wait for `events` on the socket within the deadline. */
static int wait_fd(struct og_grpc_conn *c, short events, const char *doing, og_error *e)
{
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = events };
		int left = remaining(c, doing, e), r;

		if (left < 0)
			return -1;
		r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return og_fail_errno(e, errno, "%s: poll", c->path);
		if (r == 0)
			return og_fail(e, "%s: %s: no answer within %d ms", c->path, doing, c->timeout_ms);
		return 0;	/* readable, writable, or an error/hangup the next call reports */
	}
}

static int write_all(struct og_grpc_conn *c, const uint8_t *p, size_t len, og_error *e)
{
	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(c, POLLOUT, "sending", e) < 0)
				return -1;
			continue;
		}
		if (n < 0)
			return og_fail_errno(e, errno, "%s: send", c->path);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send everything nghttp2 has queued. */
static int flush(struct og_grpc_conn *c, og_error *e)
{
	for (;;) {
		const uint8_t *data;
		ssize_t n = nghttp2_session_mem_send(c->session, &data);

		if (n < 0)
			return og_fail(e, "%s: HTTP/2: %s", c->path, nghttp2_strerror((int)n));
		if (n == 0)
			return 0;
		if (write_all(c, data, (size_t)n, e) < 0)
			return -1;
	}
}

static int call_fail(struct call *call, const char *msg, size_t n)
{
	call->failed = 1;
	og_fail(call->e, "%s (%zu bytes)", msg, n);
	return NGHTTP2_ERR_CALLBACK_FAILURE;
}

static int hdr_is(const uint8_t *name, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(name, want, len) == 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
		     const uint8_t *value, size_t valuelen, uint8_t flags, void *user)
{
	struct og_grpc_conn *c = user;
	struct call *call = c->call;

	(void)s;
	(void)flags;
	if (call == NULL || frame->hd.type != NGHTTP2_HEADERS || frame->hd.stream_id != call->stream_id)
		return 0;
	if (hdr_is(name, namelen, ":status")) {
		int v = 0;

		for (size_t i = 0; i < valuelen && i < 3; i++)
			v = v * 10 + (value[i] >= '0' && value[i] <= '9' ? value[i] - '0' : 0);
		call->http_status = valuelen == 3 ? v : -1;
	} else if (hdr_is(name, namelen, "content-type")) {
		static const char ct[] = "application/grpc";
		size_t n = sizeof ct - 1;

		call->saw_content_type = 1;
		call->content_type_ok = valuelen >= n && memcmp(value, ct, n) == 0 &&
					(valuelen == n || value[n] == '+' || value[n] == ';');
	} else if (hdr_is(name, namelen, "grpc-status")) {
		int v = 0;

		/* Status codes are 0..16; anything else is a malformed answer. */
		if (valuelen == 0 || valuelen > 2)
			return call_fail(call, "malformed grpc-status header", valuelen);
		for (size_t i = 0; i < valuelen; i++) {
			if (value[i] < '0' || value[i] > '9')
				return call_fail(call, "malformed grpc-status header", valuelen);
			v = v * 10 + (value[i] - '0');
		}
		if (v > 16)
			return call_fail(call, "grpc-status out of range", valuelen);
		call->grpc_status = v;
	} else if (hdr_is(name, namelen, "grpc-message")) {
		size_t n = valuelen < sizeof call->grpc_message - 1 ? valuelen : sizeof call->grpc_message - 1;

		memcpy(call->grpc_message, value, n);
		call->grpc_message[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if (call->grpc_message[i] == '\0')
				call->grpc_message[i] = '?';
	}
	return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data, size_t len,
		   void *user)
{
	struct og_grpc_conn *c = user;
	struct call *call = c->call;
	const size_t limit = GRPC_PREFIX_BYTES + OG_GRPC_MAX_MESSAGE_BYTES;

	(void)s;
	(void)flags;
	if (call == NULL || stream_id != call->stream_id)
		return 0;
	if (len > limit - call->body_len) {
		call->failed = 1;
		og_fail(call->e, "%s: response larger than the limit of %d bytes", c->path,
			OG_GRPC_MAX_MESSAGE_BYTES);
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	}
	if (len > call->body_cap - call->body_len) {
		size_t cap = call->body_cap ? call->body_cap : 16384;
		uint8_t *p;

		while (cap - call->body_len < len)
			cap *= 2;
		if (cap > limit)
			cap = limit;
		p = realloc(call->body, cap);
		if (p == NULL) {
			call->failed = 1;
			og_fail_errno(call->e, ENOMEM, "%s: response buffer", c->path);
			return NGHTTP2_ERR_CALLBACK_FAILURE;
		}
		call->body = p;
		call->body_cap = cap;
	}
	memcpy(call->body + call->body_len, data, len);
	call->body_len += len;
	return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *user)
{
	struct og_grpc_conn *c = user;

	(void)s;
	if (c->call != NULL && stream_id == c->call->stream_id) {
		c->call->closed = 1;
		c->call->close_error = error_code;
	}
	return 0;
}

static ssize_t read_request(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length,
			    uint32_t *data_flags, nghttp2_data_source *source, void *user)
{
	struct call *call = source->ptr;
	size_t n = call->req_len - call->req_off;

	(void)s;
	(void)stream_id;
	(void)user;
	if (n > length)
		n = length;
	memcpy(buf, call->req + call->req_off, n);
	call->req_off += n;
	if (call->req_off == call->req_len)
		*data_flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static int connect_socket(struct og_grpc_conn *c, const char *socket_path, og_error *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t clen = sizeof cred;

	memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return og_fail_errno(e, errno, "%s: socket", socket_path);
	for (;;) {
		int err;

		if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) == 0)
			break;
		err = errno;
		if (err == EINTR)
			continue;
		if (err == EAGAIN) {
			/* The listener's backlog is full: retry until the deadline. */
			int left = remaining(c, "connecting", e);

			if (left < 0)
				return -1;
			poll(NULL, 0, left < 5 ? left : 5);
			continue;
		}
		if (err == EINPROGRESS) {
			socklen_t elen = sizeof err;

			if (wait_fd(c, POLLOUT, "connecting", e) < 0)
				return -1;
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
				return og_fail_errno(e, errno, "%s: connect", socket_path);
			if (err == 0)
				break;
		}
		return og_fail_errno(e, err, "%s: connect", socket_path);
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0)
		return og_fail_errno(e, errno, "%s: SO_PEERCRED", socket_path);
	if (cred.uid != 0 && cred.uid != geteuid())
		return og_fail(e, "%s: served by uid %u, neither root nor our own user", socket_path,
			       (unsigned)cred.uid);
	return 0;
}

int og_grpc_connect(const char *socket_path, int timeout_ms, struct og_grpc_conn **out, og_error *e)
{
	nghttp2_settings_entry settings[] = {
		{ NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, RECV_WINDOW_BYTES },
	};
	nghttp2_session_callbacks *cbs = NULL;
	struct og_grpc_conn *c;
	int rv;

	*out = NULL;
	if (timeout_ms <= 0 || timeout_ms > OG_GRPC_MAX_TIMEOUT_MS)
		return og_fail(e, "timeout %d ms: expected 1..%d", timeout_ms, OG_GRPC_MAX_TIMEOUT_MS);
	if (socket_path[0] != '/' || strlen(socket_path) >= sizeof c->path)
		return og_fail(e, "socket path \"%.64s\": not an absolute path shorter than %zu bytes",
			       socket_path, sizeof c->path);
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return og_fail_errno(e, ENOMEM, "%s", socket_path);
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	c->deadline = now_ms() + timeout_ms;
	memcpy(c->path, socket_path, strlen(socket_path) + 1);
	if (connect_socket(c, socket_path, e) < 0)
		goto fail;
	if (nghttp2_session_callbacks_new(&cbs) != 0) {
		og_fail_errno(e, ENOMEM, "%s: HTTP/2 session", socket_path);
		goto fail;
	}
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
	rv = nghttp2_session_client_new(&c->session, cbs, c);
	nghttp2_session_callbacks_del(cbs);
	if (rv != 0) {
		og_fail(e, "%s: HTTP/2 session: %s", socket_path, nghttp2_strerror(rv));
		goto fail;
	}
	rv = nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings,
				     sizeof settings / sizeof settings[0]);
	if (rv == 0)
		rv = nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0,
							   RECV_WINDOW_BYTES);
	if (rv != 0) {
		og_fail(e, "%s: HTTP/2 settings: %s", socket_path, nghttp2_strerror(rv));
		goto fail;
	}
	*out = c;
	return 0;
fail:
	og_grpc_close(c);
	return -1;
}

void og_grpc_close(struct og_grpc_conn *c)
{
	if (c == NULL)
		return;
	if (c->session != NULL)
		nghttp2_session_del(c->session);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static const char *status_name(int s)
{
	static const char *const names[] = {
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
		"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
		"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED",
	};

	return s >= 0 && s <= 16 ? names[s] : "?";
}

static int valid_header_value(const char *v)
{
	return nghttp2_check_header_value((const uint8_t *)v, strlen(v)) == 1;
}

/* Pump the connection until the call's stream closes. */
static int run_call(struct og_grpc_conn *c, struct call *call, og_error *e)
{
	uint8_t buf[16384];

	while (!call->closed) {
		ssize_t n, rv;

		if (flush(c, e) < 0)
			return -1;
		if (!nghttp2_session_want_read(c->session) && !nghttp2_session_want_write(c->session))
			return og_fail(e, "%s: HTTP/2 session ended before the response", c->path);
		if (wait_fd(c, POLLIN, "waiting for the response", e) < 0)
			return -1;
		n = recv(c->fd, buf, sizeof buf, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n < 0)
			return og_fail_errno(e, errno, "%s: recv", c->path);
		if (n == 0)
			return og_fail(e, "%s: connection closed before the response was complete", c->path);
		c->received += (size_t)n;
		if (c->received > (size_t)OG_GRPC_MAX_MESSAGE_BYTES + OG_GRPC_MAX_OVERHEAD_BYTES)
			return og_fail(e, "%s: peer sent more than %d bytes", c->path,
				       OG_GRPC_MAX_MESSAGE_BYTES + OG_GRPC_MAX_OVERHEAD_BYTES);
		rv = nghttp2_session_mem_recv(c->session, buf, (size_t)n);
		if (rv < 0) {
			if (call->failed)
				return -1;
			return og_fail(e, "%s: HTTP/2 from peer: %s", c->path, nghttp2_strerror((int)rv));
		}
	}
	/* Frames still queued (a SETTINGS ack, WINDOW_UPDATE) go out with the next call. */
	return 0;
}

/* Check the finished call's headers, trailers and framing; extract the message. */
static int finish_call(struct og_grpc_conn *c, struct call *call, og_buf *resp, int *status, og_error *e)
{
	char safe[GRPC_MESSAGE_MAX + 16];
	const uint8_t *b = call->body;
	uint32_t mlen;
	char *data;

	if (call->close_error != NGHTTP2_NO_ERROR)
		return og_fail(e, "%s: stream reset by peer: %s", c->path,
			       nghttp2_http2_strerror(call->close_error));
	if (call->http_status != 200)
		return og_fail(e, "%s: HTTP status %d, expected 200", c->path, call->http_status);
	if (!call->saw_content_type || !call->content_type_ok)
		return og_fail(e, "%s: response content-type is not application/grpc", c->path);
	if (call->grpc_status < 0)
		return og_fail(e, "%s: response without grpc-status", c->path);
	*status = call->grpc_status;
	if (call->grpc_status != OG_GRPC_OK) {
		og_sanitize(call->grpc_message, safe, sizeof safe);
		return og_fail(e, "%s: gRPC status %d %s: %s", c->path, call->grpc_status,
			       status_name(call->grpc_status), safe);
	}
	if (call->body_len < GRPC_PREFIX_BYTES)
		return og_fail(e, "%s: response of %zu bytes has no complete gRPC message", c->path,
			       call->body_len);
	if (b[0] != 0)
		return og_fail(e, "%s: compressed gRPC response (flag %u), not supported", c->path, b[0]);
	mlen = (uint32_t)b[1] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 8 | b[4];
	if (mlen > OG_GRPC_MAX_MESSAGE_BYTES)
		return og_fail(e, "%s: gRPC message of %u bytes, larger than the limit of %d", c->path,
			       mlen, OG_GRPC_MAX_MESSAGE_BYTES);
	if ((size_t)mlen != call->body_len - GRPC_PREFIX_BYTES)
		return og_fail(e, "%s: gRPC message length %u does not match the %zu bytes received",
			       c->path, mlen, call->body_len - GRPC_PREFIX_BYTES);
	data = malloc((size_t)mlen + 1);
	if (data == NULL)
		return og_fail_errno(e, ENOMEM, "%s: response", c->path);
	memcpy(data, b + GRPC_PREFIX_BYTES, mlen);
	data[mlen] = '\0';
	resp->data = data;
	resp->len = mlen;
	return 0;
}

int og_grpc_unary(struct og_grpc_conn *c, const char *method, const struct og_grpc_meta *meta,
		  size_t nmeta, const void *req, size_t req_len, og_buf *resp, int *status, og_error *e)
{
	nghttp2_nv nva[8 + MAX_META];
	size_t nnv = 0;
	og_cleanup_free uint8_t *framed = NULL;
	char timeout[16];
	struct call call = { .grpc_status = -1, .e = e };
	nghttp2_data_provider prd = { .source.ptr = &call, .read_callback = read_request };
	int left, rc;

	*status = -1;
	resp->data = NULL;
	resp->len = 0;
	if (c->broken)
		return og_fail(e, "%s: connection unusable after a failed call", c->path);
	if (nmeta > MAX_META)
		return og_fail(e, "gRPC call %s: %zu metadata headers, at most %d", method, nmeta, MAX_META);
	if (req_len > OG_GRPC_MAX_REQUEST_BYTES)
		return og_fail(e, "gRPC call %s: request of %zu bytes, larger than %d", method, req_len,
			       OG_GRPC_MAX_REQUEST_BYTES);
	if (method[0] != '/' || !valid_header_value(method))
		return og_fail(e, "gRPC call: bad method path");
	for (size_t i = 0; i < nmeta; i++)
		if (nghttp2_check_header_name((const uint8_t *)meta[i].name, strlen(meta[i].name)) != 1 ||
		    !valid_header_value(meta[i].value))
			return og_fail(e, "gRPC call %s: metadata %zu is not a valid header", method, i);
	left = remaining(c, "before the request", e);
	if (left < 0)
		return -1;
	/* Tell the server our deadline so it gives up when we do. */
	snprintf(timeout, sizeof timeout, "%dm", left);

	framed = malloc(GRPC_PREFIX_BYTES + req_len);
	if (framed == NULL)
		return og_fail_errno(e, ENOMEM, "gRPC request");
	framed[0] = 0;
	framed[1] = (uint8_t)(req_len >> 24);
	framed[2] = (uint8_t)(req_len >> 16);
	framed[3] = (uint8_t)(req_len >> 8);
	framed[4] = (uint8_t)req_len;
	if (req_len > 0)
		memcpy(framed + GRPC_PREFIX_BYTES, req, req_len);
	call.req = framed;
	call.req_len = GRPC_PREFIX_BYTES + req_len;

#define NV(n, v) (nghttp2_nv){ (uint8_t *)(n), (uint8_t *)(v), strlen(n), strlen(v), NGHTTP2_NV_FLAG_NONE }
	nva[nnv++] = NV(":method", "POST");
	nva[nnv++] = NV(":scheme", "http");
	nva[nnv++] = NV(":path", method);
	nva[nnv++] = NV(":authority", "localhost");
	nva[nnv++] = NV("content-type", "application/grpc");
	nva[nnv++] = NV("te", "trailers");
	nva[nnv++] = NV("user-agent", "ocigate/" OCIGATE_VERSION);
	nva[nnv++] = NV("grpc-timeout", timeout);
	for (size_t i = 0; i < nmeta; i++)
		nva[nnv++] = NV(meta[i].name, meta[i].value);
#undef NV

	call.stream_id = nghttp2_submit_request(c->session, NULL, nva, nnv, &prd, NULL);
	if (call.stream_id < 0)
		return og_fail(e, "%s: HTTP/2 request: %s", c->path, nghttp2_strerror(call.stream_id));
	c->call = &call;
	rc = run_call(c, &call, e);
	c->call = NULL;
	if (rc < 0)
		c->broken = 1;
	if (rc == 0)
		rc = finish_call(c, &call, resp, status, e);
	free(call.body);
	if (rc < 0)
		return og_wrap(e, "gRPC %s", method);
	return 0;
}
