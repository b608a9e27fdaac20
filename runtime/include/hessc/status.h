/* hessc/status.h -- the one status type every fallible function returns,
 * in the compiler, in libhessc's public API and in the CLI's exit codes
 * (0 ok, 1 model wrong, 2 usage, 3 internal). */
#ifndef HESSC_STATUS_H
#define HESSC_STATUS_H

typedef enum hessc_status {
	HESSC_OK = 0,
	HESSC_ERR_MODEL = 1,     /* the model (or its data) is wrong: diagnostics say why */
	HESSC_ERR_USAGE = 2,     /* bad arguments */
	HESSC_ERR_INTERNAL = 3,  /* a bug, or the system failed us (I/O, cc) */
	HESSC_ERR_NOMEM = 4,     /* an allocation failed */
	HESSC_ERR_TOO_BIG = 5    /* the derivatives would not fit (size stated in a diagnostic) */
} hessc_status;

#endif
