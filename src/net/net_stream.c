/* net_stream: a stream connection's life, from accept to close. */
#include <stdlib.h>
#include <unistd.h>

#include "net/net_stream.h"

void
net_streams_init(struct net_streams *s, struct loop *l, size_t size,
		 int max, int idle_ms, size_t in_max, size_t out_max,
		 net_stream_fn pump, void *arg)
{
	*s = (struct net_streams){ .loop = l, .max = max, .idle_ms = idle_ms,
				   .size = size, .in_max = in_max,
				   .out_max = out_max, .pump = pump,
				   .arg = arg };
	LIST_INIT(&s->list);
}

void
net_stream_close(struct net_stream *c)
{
	struct net_streams *s = c->set;

	loop_del_fd(s->loop, c->fd);
	loop_timer_del(s->loop, &c->idle);
	close(c->fd);
	buf_fini(&c->in);
	buf_fini(&c->out);
	LIST_REMOVE(c, link);
	s->n--;
	free(c);
}

static void
stream_on_event(struct loop *l, int fd, int events, void *arg)
{
	struct net_stream *c = arg;

	if (c->set->pump(c, events) < 0) {
		net_stream_close(c);
		return;
	}
	loop_timer_set(l, &c->idle, c->set->idle_ms);
}

static void
stream_on_idle(struct loop *l, void *arg)
{
	net_stream_close(arg);
}

struct net_stream *
net_stream_accept(struct net_streams *s, int fd)
{
	struct net_stream *c = s->n < s->max ? calloc(1, s->size) : NULL;

	if (c == NULL || loop_add_fd(s->loop, fd, stream_on_event, c) < 0) {
		free(c);
		close(fd);
		return NULL;
	}
	c->set = s;
	c->fd = fd;
	buf_init(&c->in, s->in_max);
	buf_init(&c->out, s->out_max);
	loop_timer_init(&c->idle, stream_on_idle, c);
	loop_timer_set(s->loop, &c->idle, s->idle_ms);
	LIST_INSERT_HEAD(&s->list, c, link);
	s->n++;
	return c;
}

void
net_streams_stop(struct net_streams *s)
{
	struct net_stream *c = LIST_FIRST(&s->list);

	while (c) {
		struct net_stream *next = LIST_NEXT(c, link);
		if (buf_size(&c->out) == 0)
			net_stream_close(c);
		c = next;
	}
}

void
net_streams_close_all(struct net_streams *s)
{
	while (!LIST_EMPTY(&s->list))
		net_stream_close(LIST_FIRST(&s->list));
}
