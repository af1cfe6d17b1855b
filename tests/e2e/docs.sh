# The documentation agrees with the code: every key of the screen's key
# table is in the man page and the README, and every command and run flag
# the program knows is documented.
. tests/e2e/lib.sh

# The labels of the key table in src/ui_curses.c (keys as data).
sed -n '/^static const struct key_binding key_bindings\[\] = {/,/^};/p' src/ui_curses.c |
	sed -n 's/^[[:space:]]*{ [^,]*, KA_[A-Z_]*, [A-Z_]*, "\([^"]*\)".*/\1/p' >"$TMP/keys"
check "the key table was found and read" test "$(wc -l <"$TMP/keys")" -ge 9
keys_section=$(sed -n '/^\.SH KEYS/,/^\.SH /p' docs/warmup.1)
while read -r k; do
	case $k in
	space) man=space readme='\*\*space\*\*' ;;
	Right) man=Right readme='→' ;;
	Left) man=Left readme='←' ;;
	^L) man='\^L' readme='' ;;
	*) man=$(printf '%s' "$k" | sed 's/[?+]/\\&/g') readme="\\*\\*$(printf '%s' "$k" | sed 's/[?+]/\\&/g')\\*\\*" ;;
	esac
	check "man page KEYS lists '$k'" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^\.B[R]? $man|^\.BR [a-z]+ \", \" $man'" _ "$keys_section"
	[ -n "$readme" ] && check "README lists key '$k'" grep -Eq "$readme" README.md
done <"$TMP/keys"

# Commands in `warmup --help` are in the man page SYNOPSIS and the README.
"$WARMUP" --help >"$TMP/help"
for c in $(sed -n 's/^  warmup \([a-z]*\).*/\1/p' "$TMP/help"); do
	check "man page SYNOPSIS has warmup $c" grep -q "^\.B warmup $c" docs/warmup.1
	check "README documents warmup $c" grep -q "warmup $c" README.md
done
# Every flag of every command is in the man page and the README.
for c in run show validate list history; do
	for f in $("$WARMUP" help $c | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		check "man page documents $c $f" grep -qF -- "$(printf '%s' "$f" | sed 's/-/\\-/g')" docs/warmup.1
		check "README documents $c $f" grep -qF -- "$f" README.md
	done
done

# The words a headless run takes on a pipe are all in the man page.
sed -n '/^static const struct { const char \*word; enum session_cmd cmd; } words\[\] = {/,/^};/p' src/ui_headless.c |
	grep -o '{ "[a-z]*"' | sed 's/{ "//; s/"//' >"$TMP/words"
check "the headless command words were found" test "$(wc -l <"$TMP/words")" -ge 8
section=$(sed -n '/^\.SH COMMANDS ON STANDARD INPUT/,/^\.SH /p' docs/warmup.1)
while read -r w; do
	check "man page lists the pipe command '$w'" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^\.BR? $w( ,| \),)?\$'" _ "$section"
done <"$TMP/words"

done_testing
