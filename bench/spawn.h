/* spawn.h -- run a command (hessc gen, cc) from a tool and time it. */
#ifndef HESSC_BENCH_SPAWN_H
#define HESSC_BENCH_SPAWN_H

#include <stddef.h>

/* Run argv[0] with argv, stdout and stderr into log_path.  On success
 * returns 0 and *seconds is the wall time; otherwise -1 and err holds the
 * exit status and the log's first line. */
int spawn_run(char *const argv[], const char *log_path, double *seconds,
              char *err, size_t err_len);

#endif
