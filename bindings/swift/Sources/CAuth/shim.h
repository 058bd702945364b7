/* Found through the include directory pkg-config gives for "auth". */
#include <auth.h>
