#!/bin/zsh -f
# zsh tests/zsh-complete.zsh FPATH_DIR 'crm-add --ma': the completions zsh
# offers for that line, one a line. Drives a real interactive zsh in a pty:
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
zpty -w -n z "$2"$'\t'
local -a found
while zpty -r z line; do
	found+=(${(M)${(f)line}:#*<<*>>*})
	[[ $line == *'<<END>>'* ]] && break
done
zpty -w -n z $'\C-u'
zpty -d z
for l in $found; do
	l=${l##*<<}
	l=${l%%>>*}
	[[ $l == END ]] || print -r -- $l
done | sort -u
