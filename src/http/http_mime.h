/* http_mime: Content-Type from a file name. */
#ifndef INETKIT_HTTP_MIME_H
#define INETKIT_HTTP_MIME_H

#include <stddef.h>

/* The media type for a file name, by extension, with "; charset=utf-8"
 * for text types; "application/octet-stream" when unknown. Static. */
const char *http_mime_type(const char *name, size_t n);

#endif
