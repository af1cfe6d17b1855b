#ifndef WARMUP_REPORT_H
#define WARMUP_REPORT_H

#include <stdio.h>

#include "history.h"

/*
 * The `warmup history` report: the sessions in h (already filtered to what
 * the runner asked for) as a table, then the figures in s, a 14-day chart
 * and the tender spots marked in those sessions. today is a day number.
 */
void report_print(FILE *f, const struct history *h, const struct history_stats *s, long today);

#endif
