/* atomic_file.c -- temporary name, then rename. */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void release(atomic_file *af)
{
	free(af->final);
	free(af->temporary);
	af->final = af->temporary = NULL;
	af->stream = NULL;
}

int atomic_file_open(atomic_file *af, const char *final)
{
	memset(af, 0, sizeof *af);
	size_t len = strlen(final) + 64;
	af->final = strdup(final);
	af->temporary = malloc(len);
	if (!af->final || !af->temporary) {
		release(af);
		errno = ENOMEM;
		return -1;
	}
	/* O_EXCL: a name no other process is writing; 0666 so the umask,
	 * not this program, decides the final file's permissions */
	for (unsigned attempt = 0; attempt < 100; attempt++) {
		snprintf(af->temporary, len, "%s.tmp.%ld.%u", final, (long)getpid(), attempt);
		int fd = open(af->temporary, O_WRONLY | O_CREAT | O_EXCL, 0666);
		if (fd < 0) {
			if (errno == EEXIST)
				continue;
			break;
		}
		af->stream = fdopen(fd, "w");
		if (af->stream)
			return 0;
		int saved = errno;
		close(fd);
		unlink(af->temporary);
		errno = saved;
		break;
	}
	int saved = errno;
	release(af);
	errno = saved;
	return -1;
}

int atomic_file_commit(atomic_file *af)
{
	int failed = ferror(af->stream) != 0;
	int saved = failed ? EIO : 0;
	if (fclose(af->stream) != 0 && !failed) {
		failed = 1;
		saved = errno;
	}
	af->stream = NULL;
	if (!failed && rename(af->temporary, af->final) != 0) {
		failed = 1;
		saved = errno;
	}
	if (failed)
		unlink(af->temporary);
	release(af);
	errno = saved;
	return failed ? -1 : 0;
}

void atomic_file_abort(atomic_file *af)
{
	if (af->stream)
		fclose(af->stream);
	if (af->temporary)
		unlink(af->temporary);
	release(af);
}
