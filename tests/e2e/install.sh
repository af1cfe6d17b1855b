# `make install` and `make uninstall` into a staging folder: every file in
# its place, the man page renders cleanly, the completion loads.
. tests/e2e/lib.sh
D="$TMP/stage"
P=/usr/local

expect_exit "make install into DESTDIR" 0 make -s install DESTDIR="$D" PREFIX=$P BUILD="$BUILD"
for f in bin/warmup share/man/man1/warmup.1 share/bash-completion/completions/warmup \
	share/warmup/routine.schema.json share/warmup/routines/pre-run.yaml \
	share/warmup/routines/quick.yaml share/warmup/routines/pre-run-full.yaml; do
	check "installed: $f" test -f "$D$P/$f"
done
check "the binary is executable" test -x "$D$P/bin/warmup"
check "installed routines point at the installed schema" grep -q 'schema=../routine.schema.json' "$D$P/share/warmup/routines/pre-run.yaml"
check "installed routines validate" "$D$P/bin/warmup" validate "$D$P/share/warmup/routines/pre-run.yaml"
check "the man page renders without warnings" sh -c "groff -ww -z -man '$D$P/share/man/man1/warmup.1' 2>&1 | (! grep .)"
check "the man page names every command" sh -c "for c in run validate show list history help; do grep -q \"^.B warmup \$c\" '$D$P/share/man/man1/warmup.1' || exit 1; done"
check "the man page lists every exit code" sh -c "for c in 64 65 66 70 74; do grep -qx \".B \$c\" '$D$P/share/man/man1/warmup.1' || exit 1; done"
man_has_flags() { # man page: every --flag that `warmup help run` lists is documented
	for f in $("$WARMUP" help run | grep -o -- '--[a-z-]*' | sort -u); do
		grep -qF -- "$(printf '%s' "$f" | sed 's/-/\\-/g')" "$1" || { echo "missing $f"; return 1; }
	done
}
check "every run flag in --help is in the man page" man_has_flags "$D$P/share/man/man1/warmup.1"
sed '/no\\-bell/d' "$D$P/share/man/man1/warmup.1" >"$TMP/broken.1"
if man_has_flags "$TMP/broken.1" >/dev/null; then fail "the flag check notices a missing flag"; else ok "the flag check notices a missing flag"; fi
check "the completion loads in bash and completes subcommands" bash -c "
	. '$D$P/share/bash-completion/completions/warmup'
	COMP_WORDS=(warmup va); COMP_CWORD=1; _warmup
	[ \"\${COMPREPLY[*]}\" = validate ]"
check "the completion offers flag values" bash -c "
	. '$D$P/share/bash-completion/completions/warmup'
	COMP_WORDS=(warmup run --equipment ba); COMP_CWORD=3; _warmup
	[ \"\${COMPREPLY[*]}\" = ball ]"
check "the completion offers routine names from the search path" bash -c "
	PATH='$ROOT/$BUILD':\$PATH
	. '$D$P/share/bash-completion/completions/warmup'
	COMP_WORDS=(warmup run pre-r); COMP_CWORD=2; _warmup
	printf '%s\n' \"\${COMPREPLY[@]}\" | grep -qx pre-run"
# Another prefix, staged: the program finds its own routines by name.
expect_exit "make install under another prefix" 0 make -s install DESTDIR="$D" PREFIX=/opt/wu BUILD="$BUILD"
(cd / && "$D/opt/wu/bin/warmup" validate pre-run) >"$TMP/out" 2>&1
check "an install under another prefix finds its routines by name" grep -q "$D/opt/wu/share/warmup/routines/pre-run.yaml: ok" "$TMP/out"
expect_exit "make uninstall under that prefix" 0 make -s uninstall DESTDIR="$D" PREFIX=/opt/wu
expect_exit "make uninstall" 0 make -s uninstall DESTDIR="$D" PREFIX=$P
check "uninstall leaves no file behind" test -z "$(find "$D" -type f)"

done_testing
