# bash completion for warmup(1)
_warmup_routines()
{
	# Names from the search path (as `warmup list` finds them), plus files.
	local names
	names=$(warmup list 2>/dev/null | sed -n 's|.*/\([^/]*\)\.yaml$|\1|p' | sort -u)
	COMPREPLY+=($(compgen -W "$names" -- "$cur"))
	COMPREPLY+=($(compgen -f -X '!*.y*ml' -- "$cur"))
	COMPREPLY+=($(compgen -d -- "$cur"))
}

_warmup()
{
	local cur prev cmd
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=${COMP_WORDS[1]}

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "run validate show list history help --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--format)
		case $cmd in
		show) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "text jsonl" -- "$cur")) ;;
		esac
		return ;;
	--equipment)
		COMPREPLY=($(compgen -W "roller travel-roller stick ball trigger-point-tool" -- "$cur"))
		return ;;
	--speed) COMPREPLY=($(compgen -W "2 10 50 100" -- "$cur")); return ;;
	--fit) COMPREPLY=($(compgen -W "2m 3m 5m 10m" -- "$cur")); return ;;
	--on-event) COMPREPLY=($(compgen -c -- "$cur")); return ;;
	--last|--since) return ;;
	esac
	case $cmd in
	run)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--headless --format --speed --instant --fit --equipment --no-bell --no-color --no-history --say --on-event --help" -- "$cur"))
		else
			_warmup_routines
		fi ;;
	show)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--format --equipment --fit --help" -- "$cur"))
		else
			_warmup_routines
		fi ;;
	validate) _warmup_routines ;;
	history) COMPREPLY=($(compgen -W "--last --since --format --help" -- "$cur")) ;;
	help) COMPREPLY=($(compgen -W "run validate show list history help" -- "$cur")) ;;
	esac
}
complete -F _warmup warmup
