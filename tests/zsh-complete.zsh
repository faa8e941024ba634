#!/bin/zsh -f
# zsh tests/zsh-complete.zsh FPATH_DIR 'crm-add --ma': the completions zsh
# offers for that line, one a line. Given more lines, each comes after a
# line "== LINE". Drives a real interactive zsh in a pty:
# compadd is wrapped to print what it adds, TAB runs complete-word, and a
# function run after each completion prints <<END>>, so that nothing more is
# typed while completion runs (zsh skips work when input is waiting).
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "PROMPT= RPROMPT= PS2=; unsetopt zle_bracketed_paste 2>/dev/null; fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd () { local -a __h; builtin compadd -O __h "$@"; (( $#__h )) && print -rl -- "<<${^__h[@]}>>"; builtin compadd "$@" }'
zpty -w z 'end_marker () { print -r -- "<<END>>" }; zstyle ":completion:*" list-prompt ""; zstyle ":completion:*" menu no'
zpty -w z "bindkey '^I' complete-word; precmd () { comppostfuncs=(end_marker) }; print -- READY"
local line
while zpty -r z line; do [[ $line == READY* ]] && break; done
# one more prompt, so that precmd has set comppostfuncs
zpty -w z 'print -- SET'
while zpty -r z line; do [[ $line == SET* ]] && break; done
# Each line in turn: typed, TAB, what was offered, then the line cleared.
complete_line() {
	local line
	local -a found
	zpty -w -n z "$1"$'\t'
	while zpty -r z line; do
		found+=(${(M)${(f)line}:#*<<*>>*})
		[[ $line == *'<<END>>'* ]] && break
	done
	# cleared, and one more prompt: comppostfuncs is set anew at each (the
	# quotes keep the echo of what is typed from passing for what it prints)
	zpty -w -n z $'\C-u'
	zpty -w z "print -- NE''XT"
	while zpty -r z line; do [[ $line == *NEXT* ]] && break; done
	for line in $found; do
		line=${line##*<<}
		line=${line%%>>*}
		[[ $line == END ]] || print -r -- $line
	done | sort -u
}
if (( $# == 2 )); then
	complete_line $2
else
	for l in ${@[2,-1]}; do
		print -r -- "== $l"
		complete_line $l
	done
fi
zpty -d z
