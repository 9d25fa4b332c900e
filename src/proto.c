/* Framing for the supervisor <-> worker messages. */
#include "config.h"

#include <string.h>

#include "proto.h"

void
proto_put(struct buf *b, uint32_t type, const void *p, size_t n,
    const void *extra, size_t extralen)
{
	struct pt_msg	m = { type, (uint32_t)(n + extralen) };

	buf_add(b, &m, sizeof m);
	if (n)
		buf_add(b, p, n);
	if (extralen)
		buf_add(b, extra, extralen);
}

int
proto_next(const struct buf *b, size_t off, struct pt_msg *hdr,
    const char **payload)
{
	if (off > b->len || b->len - off < sizeof *hdr)
		return 0;
	memcpy(hdr, b->data + off, sizeof *hdr);
	if (hdr->len > PT_MSG_MAX)
		return -1;
	if (b->len - off - sizeof *hdr < hdr->len)
		return 0;
	*payload = b->data + off + sizeof *hdr;
	return 1;
}
