/* Framing for the supervisor <-> worker messages. */
#include "config.h"

#include <string.h>

#include "proto.h"
#include "shm.h"

void
proto_put(struct buf *b, uint32_t type, const void *p, size_t n,
    const void *extra, size_t extralen)
{
	struct pt_msg	 m = { type, (uint32_t)(n + extralen) };
	char		*at;

	/* One growth check a message: a persistent line makes several. */
	at = buf_extend(b, sizeof m + n + extralen);
	memcpy(at, &m, sizeof m);
	if (n)
		memcpy(at + sizeof m, p, n);
	if (extralen)
		memcpy(at + sizeof m + n, extra, extralen);
}

char *
proto_batch_add(struct buf *b, struct proto_batch *pb, uint32_t type,
    const void *head, size_t headlen, size_t n)
{
	struct pt_msg	 m = { 0, 0 };
	uint32_t	 count;
	char		*at;

	if (pb->open && pb->end == b->len)
		memcpy(&m, b->data + pb->at, sizeof m);
	if (!pb->open || pb->end != b->len || m.len + n > PT_MSG_MAX) {
		pb->at = b->len;
		m.type = type;
		m.len = (uint32_t)headlen;
		at = buf_extend(b, sizeof m + headlen);
		memcpy(at, &m, sizeof m);
		memcpy(at + sizeof m, head, headlen);
		count = 0;
		memcpy(at + sizeof m, &count, sizeof count);
		pb->open = true;
	}
	at = buf_extend(b, n);
	pb->end = b->len;
	/* The header and count in place: the buffer may have moved. */
	memcpy(&m, b->data + pb->at, sizeof m);
	m.len += (uint32_t)n;
	memcpy(b->data + pb->at, &m, sizeof m);
	memcpy(&count, b->data + pb->at + sizeof m, sizeof count);
	count++;
	memcpy(b->data + pb->at + sizeof m, &count, sizeof count);
	return at;
}

void
proto_batch_close(struct proto_batch *pb)
{
	pb->open = false;
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

void
proto_put_slot(struct buf *b, const struct pt_shm_slot *s)
{
	struct pt_slotmsg	 m;
	struct pt_msg		 h;
	size_t			 tl = s->tail_len;

	if (tl > sizeof s->tail - 1)
		tl = sizeof s->tail - 1;
	memset(&m, 0, sizeof m);
	m.state = s->state;
	m.flags = s->flags;
	m.task_pid = s->task_pid;
	m.cpu_permille = s->cpu_permille;
	m.rss_bytes = s->rss_bytes;
	m.task_seq = s->task_seq;
	m.progress_done = s->progress_done;
	m.progress_total = s->progress_total;
	m.task_start_real_ns = s->task_start_real_ns;
	m.tasks_done = s->tasks_done;
	m.tasks_failed = s->tasks_failed;
	m.cpu_ticks = s->cpu_ticks;
	m.label_len = (uint32_t)strnlen(s->label, sizeof s->label);
	m.item_len = (uint32_t)strnlen(s->item, sizeof s->item);
	m.tail_len = (uint32_t)tl;
	h.type = PT_MSG_SLOT;
	h.len = (uint32_t)(sizeof m + m.label_len + m.item_len + m.tail_len);
	buf_add(b, &h, sizeof h);
	buf_add(b, &m, sizeof m);
	buf_add(b, s->label, m.label_len);
	buf_add(b, s->item, m.item_len);
	buf_add(b, s->tail, m.tail_len);
}

/* Copy n bytes of text into dst (size bytes), cut to fit and NUL-ended. */
static void
text_in(char *dst, size_t size, const char *src, size_t n)
{
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

bool
proto_get_slot(const char *p, size_t n, struct pt_shm_slot *s)
{
	struct pt_slotmsg	m;
	size_t			texts;

	if (n < sizeof m)
		return false;
	memcpy(&m, p, sizeof m);
	texts = (size_t)m.label_len + m.item_len + m.tail_len;
	if (texts != n - sizeof m)
		return false;
	p += sizeof m;
	s->state = m.state <= PT_SLOT_EXITED ? m.state : PT_SLOT_RUNNING;
	s->flags = m.flags;
	s->task_pid = m.task_pid;
	s->cpu_permille = m.cpu_permille;
	s->rss_bytes = m.rss_bytes;
	s->task_seq = m.task_seq;
	s->progress_total = m.progress_total;
	s->progress_done = m.progress_done > m.progress_total ?
	    m.progress_total : m.progress_done;
	s->task_start_real_ns = m.task_start_real_ns;
	s->tasks_done = m.tasks_done;
	s->tasks_failed = m.tasks_failed;
	s->cpu_ticks = m.cpu_ticks;
	text_in(s->label, sizeof s->label, p, m.label_len);
	p += m.label_len;
	text_in(s->item, sizeof s->item, p, m.item_len);
	p += m.item_len;
	/* The tail keeps its last bytes: the newest output. */
	if (m.tail_len > sizeof s->tail - 1) {
		p += m.tail_len - (sizeof s->tail - 1);
		m.tail_len = sizeof s->tail - 1;
	}
	text_in(s->tail, sizeof s->tail, p, m.tail_len);
	s->tail_len = m.tail_len;
	return true;
}

const char *
proto_string(const char *p, size_t n, int i)
{
	const char	*end = p + n, *z;

	for (; p < end; p = z + 1) {
		if ((z = memchr(p, '\0', (size_t)(end - p))) == NULL)
			return NULL;
		if (i-- == 0)
			return p;
	}
	return NULL;
}
