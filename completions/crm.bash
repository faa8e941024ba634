# bash completion for the crm commands (crm-add, crm-export, crm-segment, crm-tag, crm-score,
# crm-note, crm-rm, crm-profile) and for crm, which runs them.
# Installed as .../bash-completion/completions/crm, with a link for each command.
#
# Each command describes its own options: `crm-tag --complete` prints a line
# for each (short, long, argument, what it completes to, help; cmd/cli.h),
# then what its operands complete to. It is asked once a session; tags,
# segments, fields... are asked of the database each time.

declare -gA _crm_described # CMD --complete, by CMD

_crm_describe() # CMD: asks CMD --complete, once a session, into _crm_described
{
	[[ -v _crm_described[$1] ]] || _crm_described[$1]=$("$1" --complete 2>/dev/null)
}

_crm_db_args() # the -d given on the line, for asking the database
{
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-d | --db) printf '%s\n' -d "${COMP_WORDS[i + 1]}" ;;
		esac
	done
}

_crm_ask() # CMD OPTION: the names CMD OPTION lists (crm-tag --list: the tags)
{
	local db
	mapfile -t db < <(_crm_db_args)
	"$1" "${db[@]}" "$2" -o ids 2>/dev/null
}

_crm_fields() # the fields there are (of the -k kind on the line)
{
	local kind=customers i db
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-k | --kind) kind=${COMP_WORDS[i + 1]} ;;
		esac
	done
	mapfile -t db < <(_crm_db_args)
	crm-export "${db[@]}" -k "$kind" --list-fields 2>/dev/null
}

_crm_commands() # the commands crm help lists: its lines "  NAME  SUMMARY"
{
	local line
	while IFS= read -r line; do
		[[ $line =~ ^\ \ ([^ ]+)\  ]] && printf '%s\n' "${BASH_REMATCH[1]}"
	done <<< "$(crm help 2>/dev/null)"
}

# Completes one of the lines given: names of tags, segments, ... may hold
# spaces and quotes, which compgen -W would split and unquote; a value may be
# ; or |. A reply goes in as the shell will read it back: after an opening
# quote, with what that quote needs escaped (readline closes it); else
# escaped with %q.
_crm_lines()
{
	local cur=$1 q= word line
	case $cur in
	\'* | \"*) q=${cur:0:1} word=${cur:1} ;;
	*) word=$(printf '%s' "$cur" | sed 's/\\\(.\)/\1/g') ;;
	esac
	COMPREPLY=()
	while IFS= read -r line; do
		[[ -n $line && $line == "$word"* ]] || continue
		case $q in
		\') line=${line//\'/\'\\\'\'} ;;
		\") line=${line//\\/\\\\} line=${line//\"/\\\"} line=${line//\$/\\\$} line=${line//\`/\\\`} ;;
		*) printf -v line %q "$line" ;;
		esac
		COMPREPLY+=("$line")
	done <<< "$2"
}

# Completes a comma-separated list of words, after the last comma.
_crm_list()
{
	local cur=$1 words=$2 done="" word=$1
	[[ $cur == *,* ]] && done=${cur%,*}, word=${cur##*,}
	COMPREPLY=($(compgen -P "$done" -W "$words" -- "$word"))
	compopt -o nospace 2>/dev/null
}

# Completes CUR as WHAT says: a kind (cmd/cli.h) or values, space-separated.
_crm_complete_as()
{
	local cur=$1 values
	case $2 in
	-) COMPREPLY=() ;;
	@file) COMPREPLY=($(compgen -f -- "$cur")) ;;
	@segment) _crm_lines "$cur" "$(_crm_ask crm-segment --list)" ;;
	@tag) _crm_lines "$cur" "$(_crm_ask crm-tag --list)" ;;
	@rule) _crm_lines "$cur" "$(_crm_ask crm-tag --rules)" ;;
	@model) _crm_lines "$cur" "$(_crm_ask crm-score --models)" ;;
	@category) _crm_lines "$cur" "$(_crm_ask crm-note --categories)" ;;
	@setting) _crm_lines "$cur" "$(_crm_ask crm-segment --config)" ;;
	@command) COMPREPLY=($(compgen -W "$(_crm_commands) help" -- "$cur")) ;;
	@fields) _crm_list "$cur" "$(_crm_fields)" ;;
	@sort) _crm_list "$cur" "$(_crm_fields | sed 'p; s/^/-/')" ;;
	@by) _crm_list "$cur" "tag $(_crm_fields)" ;;
	@field=)
		COMPREPLY=($(compgen -S = -W "$(_crm_fields)" -- "$cur"))
		compopt -o nospace 2>/dev/null ;;
	@map) # SRC=FIELD: a field, then after the = the field it is read as
		if [[ $cur == *=* ]]; then
			COMPREPLY=($(compgen -P "${cur%%=*}=" -W "$(_crm_fields)" -- "${cur#*=}"))
		else
			COMPREPLY=($(compgen -S = -W "$(_crm_fields)" -- "$cur"))
			compopt -o nospace 2>/dev/null
		fi ;;
	*)
		read -ra values <<< "$2"
		_crm_lines "$cur" "$(printf '%s\n' "${values[@]}")" ;;
	esac
}

_crm_on_line() # OPTION: true when OPTION is given before the word completed
{
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == "$1" ]] && return 0
	done
	return 1
}

# The completion of every crm command, from what CMD --complete says.
_crm_command()
{
	local cmd=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local short long arg what help names=() operands=
	# --db=FILE: bash breaks the word at the =
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 2)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	_crm_describe "$cmd"
	while IFS=$'\t' read -r short long arg what help; do
		if [[ $short == -- ]]; then # the operands: after an option on the line, or else
			if [[ -z $operands ]] && { [[ $long == - ]] || _crm_on_line "$long"; }; then
				operands=$what
			fi
			continue
		fi
		if [[ $arg != - && ($prev == "$long" || ($short != - && $prev == "$short")) ]]; then
			_crm_complete_as "$cur" "$what"
			return
		fi
		[[ $short != - ]] && names+=("$short")
		names+=("$long")
	done <<< "${_crm_described[$cmd]}"
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${names[*]}" -- "$cur"))
		return
	fi
	_crm_complete_as "$cur" "${operands:--}"
}

# crm CMD ARGS: the command first; then CMD's own completion, on the line
# as if crm-CMD had been typed, so that crm tag -a <TAB> is crm-tag -a <TAB>.
_crm()
{
	local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} spec fn line
	if ((COMP_CWORD == 1)); then
		_crm_command
		return
	fi
	case $cmd in
	-*) return ;;
	help) ((COMP_CWORD == 2)) && COMPREPLY=($(compgen -W "$(_crm_commands) expr" -- "$cur")); return ;;
	esac
	# crm-CMD's completion: ours, or one bash-completion loads (a command not crm's own)
	spec=$(complete -p "crm-$cmd" 2>/dev/null)
	if [[ -z $spec ]] && declare -F _completion_loader > /dev/null; then
		_completion_loader "crm-$cmd"
		spec=$(complete -p "crm-$cmd" 2>/dev/null)
	fi
	if [[ $spec != *" -F "* ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	fn=${spec#* -F } fn=${fn%% *}
	line=crm-$cmd${COMP_LINE#*[[:space:]]"$cmd"}
	COMP_POINT=$((COMP_POINT + ${#line} - ${#COMP_LINE})) COMP_LINE=$line
	COMP_WORDS=("crm-$cmd" "${COMP_WORDS[@]:2}")
	COMP_CWORD=$((COMP_CWORD - 1))
	"$fn" "crm-$cmd" "$cur" "${COMP_WORDS[COMP_CWORD - 1]}"
}

complete -F _crm crm
complete -F _crm_command crm-add crm-export crm-segment crm-tag crm-score crm-note crm-rm crm-profile
