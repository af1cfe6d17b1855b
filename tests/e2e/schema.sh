# docs/routine.schema.json must agree with the loader: every corpus file and
# every bundled routine gets the same verdict from a real JSON Schema
# validator (Debian's python3-jsonschema) as from `warmup validate`.
# A file YAML itself cannot parse counts as rejected by the schema side.
. tests/e2e/lib.sh

# Debian's interpreter, which has python3-jsonschema and python3-yaml; a
# python3 earlier on PATH (pyenv, a venv) may lack both.
PY=/usr/bin/python3
SCHEMA=docs/routine.schema.json

# Bad files whose problem no JSON Schema can state. The loader rejects them;
# the schema accepts them, and that is expected.
skip_list='
anchor.yaml                  anchors and aliases are a YAML-level policy; the parsed data is fine
at-not-inside.yaml           at must be less than the drill duration: a relation between two values
every-not-inside.yaml        the same for every
duplicate-key.yaml           YAML parsers keep the last value; the data never shows the duplicate
total-over-4h.yaml           the total is a sum over the whole routine
duration-overflow-hours.yaml a duration string matches the pattern; its size is not checked
duration-too-long-units.yaml the range of a duration written with units (10m1s) is not checked
'

skipped() {
	printf '%s\n' "$skip_list" | awk '{print $1}' | grep -qxF "$(basename "$1")"
}

if ! "$PY" -c 'import jsonschema, yaml' 2>/dev/null; then
	fail "$PY has jsonschema and yaml (make deps installs python3-jsonschema python3-yaml)"
	done_testing
	exit 1
fi

# One line per file: "valid FILE" or "invalid FILE: reason".
"$PY" - "$SCHEMA" tests/routines/good/*.yaml tests/routines/bad/*.yaml routines/*.yaml \
	>"$TMP/schema.out" 2>"$TMP/schema.err" <<'EOF'
import json
import sys

import jsonschema
import yaml

with open(sys.argv[1], encoding="utf-8") as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

for path in sys.argv[2:]:
    try:
        with open(path, "rb") as f:
            data = yaml.safe_load(f)
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        print("invalid %s: YAML: %s" % (path, str(e).splitlines()[0]))
        continue
    errors = list(validator.iter_errors(data))
    if errors:
        e = min(errors, key=lambda e: len(e.absolute_path))
        where = "/".join(str(p) for p in e.absolute_path)
        print("invalid %s: %s: %s" % (path, where, e.message[:200]))
    else:
        print("valid %s" % path)
EOF
if [ $? -ne 0 ]; then
	fail "the schema validator ran" "$(head -c 2000 "$TMP/schema.err")"
	done_testing
	exit 1
fi
ok "the schema is a valid draft 2020-12 schema"

for f in tests/routines/good/*.yaml tests/routines/bad/*.yaml routines/*.yaml; do
	"$WARMUP" validate "$f" >/dev/null 2>&1
	rc=$?
	case $rc in
	0) loader=valid ;;
	65) loader=invalid ;;
	*) fail "$f: warmup validate exits 0 or 65" "exit $rc"; continue ;;
	esac
	line=$(grep -F " $f" "$TMP/schema.out" | grep -E "^(valid|invalid) $f(:|\$)" | head -n 1)
	schema=${line%% *}
	if [ -z "$line" ]; then
		fail "$f: the schema gave a verdict"
	elif [ "$loader" = "$schema" ] && skipped "$f"; then
		fail "$f: the schema now rejects it too; take it off the skip list"
	elif [ "$loader" = "$schema" ]; then
		ok "$f: loader and schema agree ($loader)"
	elif [ "$loader" = invalid ] && skipped "$f"; then
		ok "$f: the schema cannot express this problem (skip list)"
	else
		fail "$f: loader says $loader, schema says $schema" "$line"
	fi
done

# The skip list names only real files, so it cannot go stale silently.
for name in $(printf '%s\n' "$skip_list" | awk 'NF {print $1}'); do
	check "skip list entry $name exists" test -f "tests/routines/bad/$name"
done

done_testing
