/* A minimal unary gRPC client over HTTP/2 (h2c, prior knowledge) on a unix
 * socket, built on libnghttp2.  One connection carries any number of
 * sequential calls; every wait (connect, write, read) is a poll() bounded by
 * the connection's single deadline, so a silent or slow peer costs at most
 * the timeout the caller chose, never a hang. */
#ifndef OCIGATE_GRPC_CLIENT_H
#define OCIGATE_GRPC_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include "hook/base/error.h"
#include "hook/base/fileio.h"

/* Largest response message accepted (gRPC's own default receive limit). */
#define OG_GRPC_MAX_MESSAGE_BYTES (4 * 1024 * 1024)
/* Request messages we send are tiny; this bounds them. */
#define OG_GRPC_MAX_REQUEST_BYTES (64 * 1024)
/* Bytes of frames (headers, settings, pings...) tolerated beyond the message. */
#define OG_GRPC_MAX_OVERHEAD_BYTES (1024 * 1024)
/* Longest timeout a caller may ask for. */
#define OG_GRPC_MAX_TIMEOUT_MS 60000

/* gRPC status codes the callers look at. */
#define OG_GRPC_OK 0
#define OG_GRPC_NOT_FOUND 5

struct og_grpc_conn;

struct og_grpc_meta {
	const char *name;	/* lowercase header name */
	const char *value;
};

/* Connect to the unix socket at socket_path; the deadline for this and every
 * later call on the connection is now + timeout_ms.  The peer must run as
 * root or as our own user (SO_PEERCRED): a socket someone else planted must
 * not answer for containerd. */
int og_grpc_connect(const char *socket_path, int timeout_ms, struct og_grpc_conn **out, og_error *e);

/* One unary call: POST `method` (e.g. "/pkg.Service/Get") with the request
 * message and extra metadata headers; on success *resp holds the response
 * message (without gRPC framing).  *status is the gRPC status (-1 when the
 * call did not get that far); anything but OK returns -1 with grpc-message
 * (sanitized) in the error. */
int og_grpc_unary(struct og_grpc_conn *c, const char *method, const struct og_grpc_meta *meta,
		  size_t nmeta, const void *req, size_t req_len, og_buf *resp, int *status, og_error *e);

void og_grpc_close(struct og_grpc_conn *c);

#endif
