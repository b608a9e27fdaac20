/* atomic_file.h -- write a file so that it appears whole or not at all.
 *
 * In:  the final path.
 * Out: a stream on a temporary name beside it (same folder, so rename is
 *      atomic); commit closes it and renames it into place, abort closes
 *      and removes it.  A failure never leaves a partial file at the final
 *      path, and two processes writing the same path never mix their bytes.
 */
#ifndef HESSC_ATOMIC_FILE_H
#define HESSC_ATOMIC_FILE_H

#include <stdio.h>

typedef struct atomic_file {
	FILE *stream;     /* write here */
	char *final;      /* owned copy of the final path */
	char *temporary;  /* owned: FINAL.tmp.PID.N */
} atomic_file;

/* 0, or -1 with errno set (nothing is left behind). */
int atomic_file_open(atomic_file *af, const char *final);

/* Close and rename into place: 0, or -1 with errno set (the temporary is
 * removed).  Frees what `af` owns either way. */
int atomic_file_commit(atomic_file *af);

/* Close and remove the temporary; frees what `af` owns.  Safe on a
 * zeroed or already finished atomic_file. */
void atomic_file_abort(atomic_file *af);

#endif
