# bash completion for the crm commands (crm-add, crm-export, crm-segment, crm-tag, crm-score,
# crm-note, crm-rm) and for crm, which runs them.
# Installed as .../bash-completion/completions/crm, with a link for each command.

_crm_db_args() # the -d given on the line, for asking the database
{
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-d | --db) printf '%s\n' -d "${COMP_WORDS[i + 1]}" ;;
		esac
	done
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

_crm_segments() # the saved segments
{
	local db
	mapfile -t db < <(_crm_db_args)
	crm-segment "${db[@]}" --list -o ids 2>/dev/null
}

_crm_tags() # the tags in the catalog
{
	local db
	mapfile -t db < <(_crm_db_args)
	crm-tag "${db[@]}" --list -o ids 2>/dev/null
}

_crm_rules() # the tag rules
{
	local db
	mapfile -t db < <(_crm_db_args)
	crm-tag "${db[@]}" --rules -o ids 2>/dev/null
}

_crm_models() # the score models
{
	local db
	mapfile -t db < <(_crm_db_args)
	crm-score "${db[@]}" --models -o ids 2>/dev/null
}

_crm_categories() # the note categories
{
	local db
	mapfile -t db < <(_crm_db_args)
	crm-note "${db[@]}" --categories -o ids 2>/dev/null
}

# Completes one of the lines given: names of tags, segments, ... may hold
# spaces and quotes, which compgen -W would split and unquote. A reply goes
# in as the shell will read it back: after an opening quote, with what that
# quote needs escaped (readline closes it); else escaped with %q.
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

# Completes the argument of an option every command has; false for any other.
_crm_common_arg()
{
	local cur=$1 prev=$2 formats=$3
	case $prev in
	-d | --db) COMPREPLY=($(compgen -f -- "$cur")) ;;
	-i | --input) COMPREPLY=($(compgen -W "csv tsv json ndjson ids xlsx" -- "$cur")) ;;
	-o | --output) COMPREPLY=($(compgen -W "${formats:-csv tsv json ndjson ids table}" -- "$cur")) ;;
	-k | --kind) COMPREPLY=($(compgen -W "customers events" -- "$cur")) ;;
	-s | --segment) _crm_lines "$cur" "$(_crm_segments)" ;;
	-w | --where | --as-of) COMPREPLY=() ;;
	*) return 1 ;;
	esac
	return 0
}

_crm_common_opts="-d --db -i --input -o --output --as-of -q --quiet -v --verbose -h --help --version"
_crm_input_opts="--delimiter --encoding --map --sheet"

# Completes the argument of an input option (crm(7), READING RECORDS).
_crm_input_arg()
{
	local cur=$1 prev=$2
	case $prev in
	--delimiter) COMPREPLY=($(compgen -W ", ; '|' tab" -- "$cur")) ;;
	--encoding) COMPREPLY=($(compgen -W "gb18030 gbk utf-16 utf-8" -- "$cur")) ;;
	--map)
		COMPREPLY=($(compgen -S = -W "$(_crm_fields)" -- "${cur#*=}"))
		[[ $cur == *=* ]] && COMPREPLY=($(compgen -P "${cur%%=*}=" -W "$(_crm_fields)" -- "${cur#*=}"))
		compopt -o nospace 2>/dev/null ;;
	--sheet) COMPREPLY=() ;;
	*) return 1 ;;
	esac
	return 0
}
_crm_select_opts="--all -s --segment -w --where"
_crm_order_opts="--sort --limit"

# Completes the argument of --sort (fields, each perhaps with a leading -) and --limit.
_crm_order_arg()
{
	local cur=$1 prev=$2
	case $prev in
	--sort) _crm_list "$cur" "$(_crm_fields | sed 'p; s/^/-/')" ;;
	--limit) COMPREPLY=() ;;
	*) return 1 ;;
	esac
	return 0
}

_crm_add()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	_crm_common_arg "$cur" "$prev" && return
	_crm_input_arg "$cur" "$prev" && return
	case $prev in
	--match) COMPREPLY=($(compgen -W "phone email wechat_id openid unionid" -- "$cur")); return ;;
	--on-conflict) COMPREPLY=($(compgen -W "reject first last" -- "$cur")); return ;;
	--date-format) COMPREPLY=($(compgen -W "DMY MDY YMD" -- "$cur")); return ;;
	--reject) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--set)
		COMPREPLY=($(compgen -S = -W "$(_crm_fields)" -- "$cur"))
		compopt -o nospace 2>/dev/null
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-k --kind --match --new-ids --on-conflict --replace
			--create-missing --reject --dry-run --set --date-format $_crm_input_opts $_crm_common_opts" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}

_crm_export()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	_crm_order_arg "$cur" "$prev" && return
	case $prev in
	-k | --kind) COMPREPLY=($(compgen -W "customers events audit" -- "$cur")); return ;;
	esac
	_crm_common_arg "$cur" "$prev" "csv tsv json ndjson ids table vcard wechat xlsx" && return
	case $prev in
	-f | --fields | --mask) _crm_list "$cur" "$(_crm_fields)"; return ;;
	--campaign | --cap | --tagid | --since) return ;;
	--encoding) COMPREPLY=($(compgen -W "gb18030 utf-8" -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-f --fields -k --kind --campaign --cap --dry-run --mask --excel --encoding --tagid
			--since --dump --list-fields
			$_crm_select_opts $_crm_order_opts $_crm_common_opts" -- "$cur"))
	fi
}

_crm_segment()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} i
	_crm_order_arg "$cur" "$prev" && return
	_crm_common_arg "$cur" "$prev" "csv tsv json ndjson ids table chart" && return
	case $prev in
	-f | --fields) _crm_list "$cur" "$(_crm_fields)"; return ;;
	--by) _crm_list "$cur" "tag $(_crm_fields)"; return ;;
	--delete | --diff) _crm_lines "$cur" "$(_crm_segments)"; return ;;
	--max-missing)
		COMPREPLY=($(compgen -S = -W "$(_crm_fields)" -- "$cur"))
		compopt -o nospace 2>/dev/null
		return ;;
	--duplicates)
		COMPREPLY=($(compgen -W "phone email wechat_id openid unionid" -- "$cur"))
		return ;;
	--save | --desc | --bins | --edges | --max-duplicates) return ;;
	esac
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == --config && $cur != -* ]]; then
			local db
			mapfile -t db < <(_crm_db_args)
			COMPREPLY=($(compgen -W "$(crm-segment "${db[@]}" --config -o ids 2>/dev/null)" -- "$cur"))
			return
		fi
	done
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-f --fields --save --desc --list --delete --by --bins --edges
			--diff --quality --max-missing --max-duplicates --duplicates --config --explain
			--count $_crm_select_opts $_crm_order_opts $_crm_common_opts" -- "$cur"))
	fi
}

_crm_tag()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	_crm_order_arg "$cur" "$prev" && return
	_crm_common_arg "$cur" "$prev" && return
	_crm_input_arg "$cur" "$prev" && return
	case $prev in
	-a | --add | -r | --remove | --tag | --delete | --rename | --merge | --merge-tags | --define)
		_crm_lines "$cur" "$(_crm_tags)"
		return ;;
	--drop-rule | --rule) _crm_lines "$cur" "$(_crm_rules)"; return ;;
	--category)
		COMPREPLY=($(compgen -W "basic behavior interest relationship custom" -- "$cur"))
		return ;;
	--match) COMPREPLY=($(compgen -W "phone email wechat_id openid unionid" -- "$cur")); return ;;
	--stale) COMPREPLY=($(compgen -W "30d 90d 180d 1y" -- "$cur")); return ;;
	--expires | --desc | --group) return ;;
	esac
	case ${COMP_WORDS[COMP_CWORD - 2]} in
	--rename | --merge) _crm_lines "$cur" "$(_crm_tags)"; return ;;
	esac
	local i
	for ((i = 1; i < COMP_CWORD - 1; i++)); do # --merge-tags TAG FROM...: every FROM a tag
		if [[ ${COMP_WORDS[i]} == --merge-tags && $cur != -* ]]; then
			_crm_lines "$cur" "$(_crm_tags)"
			return
		fi
	done
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-a --add -r --remove --expires --strict --match --define
			--category --desc --group --force --list --rename --merge-tags --merge --delete
			--rule --tag --rules --drop-rule --apply --dry-run --audit --stale
			$_crm_select_opts $_crm_order_opts $_crm_input_opts $_crm_common_opts" -- "$cur"))
	fi
}

_crm_score()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	_crm_order_arg "$cur" "$prev" && return
	_crm_common_arg "$cur" "$prev" && return
	case $prev in
	-m | --model | --show | --define) _crm_lines "$cur" "$(_crm_models)"; return ;;
	--explain | --since | --from | --to) return ;;
	esac
	if [[ ${COMP_WORDS[COMP_CWORD - 2]} == --define ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-m --model --define --dry-run --models --show --explain
			--changes --since --from --to --matrix $_crm_select_opts $_crm_order_opts
			$_crm_common_opts" -- "$cur"))
	fi
}

_crm_note()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} i
	_crm_order_arg "$cur" "$prev" && return
	_crm_common_arg "$cur" "$prev" && return
	_crm_input_arg "$cur" "$prev" && return
	case $prev in
	--date-format) COMPREPLY=($(compgen -W "DMY MDY YMD" -- "$cur")); return ;;
	-c | --category) _crm_lines "$cur" "$(_crm_categories)"; return ;;
	--reject) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	-a | --author | --follow-up | --search | --text | --since | --done | --edit | --history |\
		--delete | --add-category) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-c --category -a --author --follow-up -l --list --search --text
			--since --due --done --edit --history --delete --force --deleted --categories
			--add-category --import --reject --dry-run --date-format $_crm_select_opts
			$_crm_order_opts $_crm_input_opts $_crm_common_opts" -- "$cur"))
		return
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == --import ]] && COMPREPLY=($(compgen -f -- "$cur"))
	done
}

_crm_rm()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	_crm_common_arg "$cur" "$prev" && return
	[[ $prev == --merge-into || $prev == --unsuppress ]] && return
	if [[ $prev == --merge-duplicates ]]; then
		COMPREPLY=($(compgen -W "phone email wechat_id openid" -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "--dry-run --force --merge-into --merge-duplicates --unsuppress
			--checkpoint $_crm_select_opts
			$_crm_common_opts" -- "$cur"))
	fi
}

_crm_commands() # the commands crm help lists: its lines "  NAME  SUMMARY"
{
	local line
	while IFS= read -r line; do
		[[ $line =~ ^\ \ ([^ ]+)\  ]] && printf '%s\n' "${BASH_REMATCH[1]}"
	done <<< "$(crm help 2>/dev/null)"
}

# crm CMD ARGS: the command first; then CMD's own completion, on the line
# as if crm-CMD had been typed, so that crm tag -a <TAB> is crm-tag -a <TAB>.
_crm()
{
	local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} spec fn line
	if ((COMP_CWORD == 1)); then
		case $cur in
		-*) COMPREPLY=($(compgen -W "-h --help --version" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "$(_crm_commands) help" -- "$cur")) ;;
		esac
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
complete -F _crm_add crm-add
complete -F _crm_export crm-export
complete -F _crm_segment crm-segment
complete -F _crm_tag crm-tag
complete -F _crm_score crm-score
complete -F _crm_note crm-note
complete -F _crm_rm crm-rm
