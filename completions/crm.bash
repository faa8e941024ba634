# bash completion for the crm commands (crm-add, crm-export).
# Installed as .../bash-completion/completions/crm, with a link for each command.

_crm_fields() # the fields there are: asks crm-export, with the -d given on the line
{
	local db=() kind=customers i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-d | --db) db=(-d "${COMP_WORDS[i + 1]}") ;;
		-k | --kind) kind=${COMP_WORDS[i + 1]} ;;
		esac
	done
	crm-export "${db[@]}" -k "$kind" --list-fields 2>/dev/null
}

# Completes the argument of an option both commands have; false for any other.
_crm_common_arg()
{
	local cur=$1 prev=$2
	case $prev in
	-d | --db) COMPREPLY=($(compgen -f -- "$cur")) ;;
	-i | --input) COMPREPLY=($(compgen -W "csv tsv json ndjson ids" -- "$cur")) ;;
	-o | --output) COMPREPLY=($(compgen -W "csv tsv json ndjson ids table" -- "$cur")) ;;
	-k | --kind) COMPREPLY=($(compgen -W "customers events" -- "$cur")) ;;
	--as-of) COMPREPLY=() ;;
	*) return 1 ;;
	esac
	return 0
}

_crm_common_opts="-d --db -i --input -o --output --as-of -q --quiet -h --help --version"

_crm_add()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	_crm_common_arg "$cur" "$prev" && return
	case $prev in
	--match) COMPREPLY=($(compgen -W "phone email wechat_id" -- "$cur")); return ;;
	--reject) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--set)
		COMPREPLY=($(compgen -S = -W "$(_crm_fields)" -- "$cur"))
		compopt -o nospace 2>/dev/null
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-k --kind --match --replace --create-missing --reject
			--dry-run --set $_crm_common_opts" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}

_crm_export()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	_crm_common_arg "$cur" "$prev" && return
	case $prev in
	-f | --fields)
		# complete the name after the last comma
		local done="" word=$cur
		[[ $cur == *,* ]] && done=${cur%,*}, word=${cur##*,}
		COMPREPLY=($(compgen -P "$done" -W "$(_crm_fields)" -- "$word"))
		compopt -o nospace 2>/dev/null
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-f --fields -k --kind --all --dump --list-fields
			$_crm_common_opts" -- "$cur"))
	fi
}

complete -F _crm_add crm-add
complete -F _crm_export crm-export
