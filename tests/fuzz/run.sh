#!/bin/sh
# Runs each libFuzzer target for FUZZ_SECONDS (default 60) from a seed
# corpus made at run time: every routine in routines/ and tests/routines/
# for the loader and the escapers, the durations they use plus edge cases
# for the duration parser. New inputs and any crash stay in build/fuzz/.
# Each target is one test; ends with "N passed, N failed".
#   sh tests/fuzz/run.sh [TARGET...]     (default: every build/fuzz/fuzz_*)
. tests/e2e/lib.sh

SECONDS_EACH=${FUZZ_SECONDS:-60}
OUT=$ROOT/build/fuzz
[ $# -gt 0 ] || set -- ${FUZZ_TARGETS:-fuzz_routine fuzz_duration fuzz_escape}

# seeds TARGET DIR: fills DIR with the target's seed corpus.
seeds() {
	rm -rf "$2"
	mkdir -p "$2"
	case "$1" in
	fuzz_duration)
		i=0
		for d in 0 5 90 45s 1m30s 10m 2h 1h1m1s 4h 99999999999999h 18446744073709551615 \
		         18446744073709551616 18446744073709551s 5124095576030431h 1m1m 30s1m \
		         -5 4.5 0x1e 5S " 5s" 1e3 ""; do
			printf '%s' "$d" >"$2/seed-$i"
			i=$((i + 1))
		done
		# Every duration the routines use.
		find routines tests/routines -name '*.yaml' -exec cat {} + 2>/dev/null |
			sed -n 's/.*\(duration\|every\|at\|lead_in\|switch\|rest\|linger_every\): *\([^ #]*\).*/\2/p' |
			sort -u | while IFS= read -r d; do
				i=$((i + 1))
				printf '%s' "$d" >"$2/used-$i"
			done
		;;
	*)
		for f in routines/*.yaml tests/routines/*/*.yaml; do
			[ -f "$f" ] && cp "$f" "$2/$(echo "$f" | tr / _)"
		done
		;;
	esac
}

for t in "$@"; do
	bin=$OUT/$t
	if [ "$SECONDS_EACH" -eq 0 ]; then
		ok "$t skipped (FUZZ_SECONDS=0)"
		continue
	fi
	if [ ! -x "$bin" ]; then
		fail "$t is built" "missing $bin: make $bin"
		continue
	fi
	seeds "$t" "$OUT/seeds/$t"
	mkdir -p "$OUT/corpus/$t" "$OUT/artifacts"
	case "$t" in fuzz_routine) max_len=16384 ;; *) max_len=512 ;; esac
	start=$(date +%s)
	# detect_leaks: libFuzzer checks each input for leaks when LSan is on.
	ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
		-dict=tests/fuzz/yaml.dict -print_final_stats=1 \
		-artifact_prefix="$OUT/artifacts/$t-" \
		"$OUT/corpus/$t" "$OUT/seeds/$t" >"$TMP/$t.log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$t.log")
	if [ "$rc" -eq 0 ]; then
		ok "$t: ${runs:-?} runs in ${took}s, nothing found"
	else
		fail "$t: exit $rc after ${took}s" "$(grep -E 'ERROR|SUMMARY|check failed|Test unit written|^ +#[0-9]+ ' "$TMP/$t.log" | head -n 30)"
	fi
done

done_testing
