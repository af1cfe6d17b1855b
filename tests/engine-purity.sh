#!/bin/sh
# The engine (plan and session) must not touch files, terminals or clocks:
# every symbol its objects take from outside is on this list, or it fails.
set -u
allowed='^(malloc|calloc|realloc|free|memcpy|memmove|memset|memcmp|strlen|strcmp|qsort|abort|__stack_chk_fail|__assert_fail|__memcpy_chk|__memset_chk|__memmove_chk|__ubsan_.*|__asan_.*|_GLOBAL_OFFSET_TABLE_)$'
# Symbols the engine objects define for one another.
defined=$(nm --defined-only $1 | awk '{print $3}')
bad=0
for sym in $(nm --undefined-only $1 | awk '{print $2}' | sort -u); do
	if printf '%s\n' "$defined" | grep -qx "$sym"; then continue; fi
	case "$sym" in routine_*|equipment_*|side_name) continue ;; esac
	if ! printf '%s\n' "$sym" | grep -Eq "$allowed"; then
		echo "engine uses $sym, which is not allowed there"
		bad=1
	fi
done
exit $bad
