/* A second inclusion must be a no-op: the include guard covers it all. */
#include <auth.h>
#include <auth.h>

const char *header_version(void);

const char *header_version(void) { return auth_status_name(AUTH_STATUS_OK); }
