#!/bin/zsh -f
# zsh tests/zsh-complete.zsh FPATH_DIR 'crm-add --ma': the completions zsh
# offers for that line, one a line. Drives a real interactive zsh in a pty:
# compadd is wrapped to print what it adds, TAB runs complete-word.
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "PROMPT= RPROMPT= PS2=; unsetopt zle_bracketed_paste 2>/dev/null; fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd () { local -a __h; builtin compadd -O __h "$@"; (( $#__h )) && print -rl -- "<<${^__h[@]}>>"; builtin compadd "$@" }'
zpty -w z "bindkey '^I' complete-word; zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no; print -- READY"
local line
while zpty -r z line; do [[ $line == READY* ]] && break; done
zpty -w -n z "$2"$'\t'
zpty -w -n z $'\C-u'
zpty -w z 'print -- DONE'
local -a found
while zpty -r z line; do
	[[ $line == *DONE* && $line != *print* ]] && break
	found+=(${(M)${(f)line}:#*<<*>>*})
done
zpty -d z
for l in $found; do
	l=${l##*<<}
	print -r -- ${l%%>>*}
done | sort -u
