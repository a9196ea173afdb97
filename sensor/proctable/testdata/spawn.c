// spawn runs COUNT shell chains with glibc's posix_spawn (clone3 or clone
// with CLONE_VM|CLONE_VFORK), one after the other: each is
//   sh -c '/bin/sh -c "ln -s /nonexistent DIR/PREFIX-I; :"; :'
// so the ln is a grandchild of a posix_spawn child. Used by the proctable
// live test; built there with the C compiler.
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: spawn COUNT DIR PREFIX\n");
		return 2;
	}
	int n = atoi(argv[1]);
	for (int i = 0; i < n; i++) {
		char cmd[4096];
		snprintf(cmd, sizeof(cmd), "/bin/sh -c \"ln -s /nonexistent %s/%s-%d; :\"; :", argv[2], argv[3], i);
		char *args[] = {"sh", "-c", cmd, NULL};
		pid_t pid;
		int err = posix_spawn(&pid, "/bin/sh", NULL, NULL, args, environ);
		if (err != 0) {
			fprintf(stderr, "posix_spawn: error %d\n", err);
			return 1;
		}
		int st;
		if (waitpid(pid, &st, 0) < 0) {
			perror("waitpid");
			return 1;
		}
	}
	return 0;
}
