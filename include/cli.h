#ifndef WARMUP_CLI_H
#define WARMUP_CLI_H

/*
 * The command line: parses arguments, runs a command and returns its exit
 * status (sysexits: 0 ok, 64 usage, 65 invalid routine, 66 routine not found
 * or unreadable, 70 internal error, 74 I/O error). Prints to stdout/stderr;
 * never exits by itself.
 */
int cli_main(int argc, char **argv);

#endif
