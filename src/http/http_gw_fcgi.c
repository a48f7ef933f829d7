/* http_gw_fcgi: stub */
#include <errno.h>
#include "http_gw_int.h"
static int f_start(struct http_gw *g) { return -ENOSYS; }
static ssize_t f_wb(struct http_gw *g, const char *p, size_t n) { return -EPIPE; }
static ssize_t f_ws(struct http_gw *g) { return 0; }
static void f_eb(struct http_gw *g) { }
static ssize_t f_ro(struct http_gw *g, char *p, size_t n) { return 0; }
static void f_stop(struct http_gw *g, int k) { }
const struct http_gw_ops http_gw_fcgi_ops = { f_start, f_wb, f_ws, f_eb, f_ro, f_stop };
void http_fcgi_pools_free(struct http_gw_worker *gw) { }
