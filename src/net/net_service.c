/* net_service: a worker's sockets of one service, taken over and given
 * back in one place. */
#include "core/err.h"
#include "core/log.h"
#include "net/net_service.h"

static int
service_add(struct net_service *s, struct loop *l,
	    const struct net_service_config *c)
{
	if (c->nudp > NET_ACCEPTOR_MAX)
		return ERR_TOOBIG;
	for (int i = 0; i < c->nudp; i++)
		s->udp[s->nudp++] = c->udp[i];
	int rc = net_acceptor_start(&s->tcp, l, c->tcp, c->ntcp, c->name,
				    c->on_accept, c->arg);
	if (rc == 0 && c->on_stop)
		rc = loop_on_stop(l, c->on_stop, c->arg);
	for (int i = 0; i < s->nudp && rc == 0; i++)
		rc = loop_add_fd_read(l, s->udp[i], c->on_datagram, c->arg);
	return rc;
}

int
net_service_start(struct net_service *s, struct loop *l,
		  const struct net_service_config *c)
{
	s->loop = l;
	int rc = service_add(s, l, c);

	if (rc < 0)
		log_error("%s: %s", c->name, err_str(rc));
	return rc;
}

void
net_service_close(struct net_service *s)
{
	if (s->loop == NULL)
		return;
	net_acceptor_close(&s->tcp);
	loop_close_fds(s->loop, s->udp, s->nudp);
}
