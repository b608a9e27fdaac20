/* status.h -- the one status type every fallible function returns.  It is
 * public (host programs of libhessc see the same codes), so it lives in the
 * public include directory. */
#include "hessc/status.h"
