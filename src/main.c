#include <errno.h>
#include <fcntl.h>

#include "cli.h"

/*
 * Keeps descriptors 0, 1 and 2 taken, so that no pipe or file opened later
 * lands on one of them and gets printed into. A closed stdout is held
 * read-only, so writing to it still fails and is still reported.
 */
static void hold_standard_fds(void)
{
	static const int mode[3] = { O_RDONLY, O_RDONLY, O_WRONLY };
	int fd;

	/* open() returns the lowest free descriptor: the one just found closed. */
	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF && open("/dev/null", mode[fd]) == -1)
			return;
}

int main(int argc, char **argv)
{
	hold_standard_fds();
	return cli_main(argc, argv);
}
