/* read_file.h -- a whole file into memory, for the tests.
 *
 * In:  a path.
 * Out: its bytes, malloc'ed, with a 0 after them (so text reads as a C
 *      string); NULL when the file cannot be opened or read.
 */
#ifndef HESSC_TEST_READ_FILE_H
#define HESSC_TEST_READ_FILE_H

#include <stddef.h>

/* *len (when len is not NULL) gets the size without the final 0. */
char *read_file(const char *path, size_t *len);

#endif
