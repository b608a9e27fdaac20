/* spawn.c -- fork, exec, wait; the log's first line explains a failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"
#include "spawn.h"

static void first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int spawn_run(char *const argv[], const char *log_path, double *seconds,
              char *err, size_t err_len)
{
	double t0 = bench_now();
	int status;
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, err_len, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, err_len, "waitpid: %s", strerror(errno));
			return -1;
		}
	}
	*seconds = bench_now() - t0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	{
		char line[160];
		first_line(log_path, line, sizeof line);
		if (WIFEXITED(status))
			snprintf(err, err_len, "%s exited with %d: %s", argv[0], WEXITSTATUS(status), line);
		else
			snprintf(err, err_len, "%s killed by signal %d: %s", argv[0],
			         WIFSIGNALED(status) ? WTERMSIG(status) : 0, line);
	}
	return -1;
}
