#!/bin/sh
# Completions, in the real shells. Each command says what its options are
# (the hidden --complete: the table --help is made from); bash, zsh and
# fish offer them, no more, no fewer, long and short, and each argument's
# values, or the names the database has. The man pages document each option.
. "$(dirname "$0")/../lib.sh"

COMP=$TESTS/../completions
MAN=$TESTS/../man
COMMANDS='crm-add crm-export crm-segment crm-tag crm-score crm-note crm-rm crm-profile'
printf 'id,name,level\n1,张三,gold\n' | crm-add -q > /dev/null
# A name of each kind that the completions ask the database for.
crm-segment -q --save 高价值 -w 'age > 30'
crm-tag -q -a 金卡 1
crm-tag -q --rule 老客户 --tag 金卡 -w 'age > 30'
printf 'grade A 1\nrule 1 age > 1\n' > m.model
crm-score -q --define 价值 m.model
crm-note -q --add-category 售后
# Arguments that are files complete in a folder of one file.
mkdir files
: > files/a.csv

bash_complete() { # bash_complete FUNCTION WORD...: what bash offers for the last word
	printf 'source %s; COMP_WORDS=(%s); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); %s; printf "%%s\\n" "${COMPREPLY[@]}" | sort -u' \
		"$COMP/crm.bash" "$2" "$1"
}

# --complete: a line for each option, as --help has it, then what the
# operands complete to.
out 'crm --complete: its options, then what its operands complete to' "$(printf '%s\t%s\t%s\t%s\t%s\n' \
	-h --help - - 'show this help' - --version - - 'show the version' -- - - @command -)" 'crm --complete'
out 'crm-tag --complete: values, a kind, nothing to offer, no argument; operands after options, or else' \
	"$(printf '%s\t%s\t%s\t%s\t%s\n' \
	-a --add TAG @tag 'tag the chosen customers (repeatable)' \
	- --desc TEXT - 'what the tag means' \
	- --list - - 'the catalog, with how many customers carry each tag' \
	- --stale WINDOW '30d 90d 180d 1y' 'with --audit: flag tags nobody got in WINDOW (default 180d)' \
	-- --rename - @tag - -- --merge - @tag - -- --merge-tags - @tag - -- - - - -)" \
	"crm-tag --complete | grep -e '	--add	' -e '	--desc	' -e '	--list	' -e '	--stale	' -e '^--'"
out 'crm-add --complete: its operands are files' "$(printf '%s\t%s\t%s\t%s\t%s' -- - - @file -)" \
	'crm-add --complete | tail -1'
out 'crm-export --complete: -o offers the formats it writes' "$(printf '%s\t%s\t%s\t%s\t%s' \
	-o --output FORMAT 'csv tsv json ndjson ids table vcard wechat xlsx' 'output format: csv tsv json ndjson ids table vcard wechat xlsx')" \
	"crm-export --complete | grep -e '	--output	'"
# the options of --help, as "SHORT|LONG|ARG|HELP" ("-" for none)
help_options() {
	$1 --help | sed -nE 's/^  (-[a-zA-Z], |    )--([a-z-]+)( ([A-Z][A-Z0-9_=%]*))? +(.*)$/\1|--\2|\4|\5/p' |
		sed -E 's/^(-[a-zA-Z]), /\1/; s/^    /-/; s/\|\|/|-|/'
}
# crm-export's -o: the common formats and its own.
export_formats='csv
ids
json
ndjson
table
tsv
vcard
wechat
xlsx'
for c in crm $COMMANDS; do
	out "$c --complete has each option of --help, and no other: names, argument, help" \
		"$(help_options $c)" "$c --complete | awk -F '\t' '\$1 != \"--\" { print \$1 \"|\" \$2 \"|\" \$3 \"|\" \$5 }'"
	out "every line of $c --complete has five fields, none empty" '' \
		"$c --complete | awk -F '\t' 'NF != 5 || /\t\t/ || /^\t/ || /\t\$/'"
	out "$c --complete ends with what its operands complete to" '1' "$c --complete | tail -1 | grep -c '^--	-	-	'"
done
out '--complete is in no --help' '' "for c in crm $COMMANDS; do \$c --help; done | grep -e complete"
out '... nor in a man page' '' "grep -l -e -complete '$MAN'/*.[157]"
fails 2 '--complete is hidden only alone: with more, it is an unknown option' 'crm-tag --complete --list'
err '... and said so' "crm-tag: unknown option '--complete'
Try 'crm-tag --help'." 'crm-tag --complete --list'
err '... in crm too' "crm: unknown option '--complete'
Try 'crm --help'." 'crm --complete --help'

# What each shell offers for each option that takes an argument, short and
# long, as "OPTION: VALUE..." (sorted): its values, or what the database has.
cat > args.bash <<'EOF'
# bash args.bash COMPLETIONS CMD
source "$1/crm.bash"
while IFS=$'\t' read -r short long arg what help; do
	[[ $short == -- || $arg == - ]] && continue
	for o in "$short" "$long"; do
		[[ $o == - ]] && continue
		COMP_WORDS=("$2" "$o" "") COMP_CWORD=2 COMPREPLY=()
		_crm_command
		printf '%s:%s\n' "$o" "$(printf ' %s\n' "${COMPREPLY[@]}" | sed 's/\\\(.\)/\1/g' | grep -v '^ $' | sort -u | tr -d '\n')"
	done
done < <("$2" --complete)
EOF
cat > args.fish <<'EOF'
# fish args.fish COMPLETIONS CMD
source $argv[1]/$argv[2].fish
for line in ($argv[2] --complete)
    set -l f (string split \t -- $line)
    test "$f[1]" = --; or test "$f[3]" = -; and continue
    for o in $f[1] $f[2]
        test "$o" = -; and continue
        set -l v (string join '' -- ' '(complete -C "$argv[2] $o " | cut -f1 | sort -u))
        echo "$o:$v"
    end
end
EOF
cat > args.zsh <<'EOF'
# zsh args.zsh COMPLETIONS ZSH-COMPLETE CMD
local -a lines f
for line in ${(f)"$($3 --complete)"}; do
	f=("${(@ps:\t:)line}")
	[[ $f[1] == -- || $f[3] == - ]] && continue
	[[ $f[1] != - ]] && lines+=("$3 $f[1] ")
	lines+=("$3 $f[2] ")
done
zsh $2 $1 $lines |
	awk '/^== / { if (o != "") print o ":" v; o = $3; v = ""; next } { v = v " " $0 } END { print o ":" v }'
EOF
arg_values() { # SHELL WHAT: what SHELL should offer
	case $2 in
	-) ;;
	@file) echo a.csv ;;
	@segment) crm-segment --list -o ids ;;
	@tag) crm-tag --list -o ids ;;
	@rule) crm-tag --rules -o ids ;;
	@model) crm-score --models -o ids ;;
	@category) crm-note --categories -o ids ;;
	@fields) crm-export --list-fields ;;
	@sort) crm-export --list-fields | sed 'p; s/^/-/' ;;
	@by) echo tag; crm-export --list-fields ;;
	@field= | @map) crm-export --list-fields | if [ "$1" = zsh ]; then cat; else sed 's/$/=/'; fi ;; # zsh shows no =
	@*) echo "no test for $2" ;;
	*) (set -f; printf '%s\n' $2) ;;
	esac
}
expect_args() { # SHELL CMD: what args.SHELL should print
	$2 --complete | while IFS='	' read -r short long arg what help; do
		[ "$short" = -- ] || [ "$arg" = - ] && continue
		v=$(arg_values "$1" "$what" | sed 's/^/ /' | sort -u | tr -d '\n')
		[ "$short" = - ] || echo "$short:$v"
		echo "$long:$v"
	done
}
for c in $COMMANDS; do
	want=$($c --help | grep -o -- '--[a-z-]*' | sort -u)
	shorts=$($c --help | sed -n 's/^  \(-[a-zA-Z]\), .*/\1/p' | sort -u)
	out "bash offers $c's long options" "$want" "bash -c '$(bash_complete _crm_command "$c --")'"
	out "zsh offers $c's long options" "$want" "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' '$c --'"
	out "fish offers $c's long options" "$want" \
		"fish -c 'source $COMP/$c.fish; complete -C \"$c --\"' | cut -f1 | sort -u"
	out "bash offers $c's short options" "$shorts" "bash -c '$(bash_complete _crm_command "$c -")' | grep -x -- '-[a-zA-Z]'"
	out "zsh offers $c's short options" "$shorts" \
		"timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' '$c -' | grep -x -- '-[a-zA-Z]'"
	out "fish offers $c's short options" "$shorts" \
		"fish -c 'source $COMP/$c.fish; complete -C \"$c -\"' | cut -f1 | sort -u | grep -x -- '-[a-zA-Z]'"
	out "bash completes the argument of each option of $c: its values, or the database's names" \
		"$(expect_args bash $c)" "cd files && timeout 120 bash ../args.bash '$COMP' $c"
	out "zsh completes the argument of each option of $c: its values, or the database's names" \
		"$(expect_args zsh $c)" "cd files && timeout 120 zsh ../args.zsh '$COMP' '$TESTS/zsh-complete.zsh' $c"
	out "fish completes the argument of each option of $c: its values, or the database's names" \
		"$(expect_args fish $c)" "cd files && timeout 120 fish ../args.fish '$COMP' $c"
	formats='csv
ids
json
ndjson
table
tsv'
	[ $c = crm-export ] && formats=$export_formats
	[ $c = crm-segment ] && formats='chart
csv
ids
json
ndjson
table
tsv'
	[ $c = crm-profile ] && formats='chart
csv
json
ndjson
table
tsv'
	for shell in bash zsh fish; do
		case $shell in
		bash) cmd="bash -c '$(bash_complete _crm_command "$c -o \"\"")'" ;;
		zsh) cmd="timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' '$c -o '" ;;
		fish) cmd="fish -c 'source $COMP/$c.fish; complete -C \"$c -o \"' | cut -f1 | sort -u" ;;
		esac
		out "$shell completes $c's output formats" "$formats" "$cmd"
	done
	for opt in $want; do
		ok "$c(1) or crm(7) documents $opt" "grep -q -- '^\\.It Fl [a-z] , Fl -${opt#--}\\|^\\.It Fl -${opt#--}' '$MAN/$c.1' '$MAN/crm.7'"
	done
done

# The operands: files, or what an option before them makes them, or
# nothing to offer (customer ids).
for shell in bash zsh fish; do
	case $shell in
	bash) run() { # an empty last word, when the line ends with a space
		words=$1
		case $words in *' ') words="$words\"\"" ;; esac
		printf "cd files && bash -c '%s'" "$(bash_complete _crm_command "$words")"
	} ;;
	zsh) run() { printf "cd files && timeout 30 zsh '%s' '%s' '%s'" "$TESTS/zsh-complete.zsh" "$COMP" "$1"; } ;;
	fish) run() { printf "cd files && fish -c 'source %s/%s.fish; complete -C \"%s\"' | cut -f1" "$COMP" "${1%% *}" "$1"; } ;;
	esac
	out "$shell completes crm-add's operands with files" 'a.csv' "$(run 'crm-add ')"
	out "$shell completes crm-score --define NAME's operand with files" 'a.csv' "$(run 'crm-score --define 价值 ')"
	out "$shell completes crm-note --import's operands with files" 'a.csv' "$(run 'crm-note --import ')"
	out "$shell offers no files for crm-export's operands, customer ids" '' "$(run 'crm-export ') | grep -x a.csv"
	out "$shell offers no files for crm-tag's either" '' "$(run 'crm-tag ') | grep -x a.csv"
	out "$shell completes the setting keys after crm-segment --config" 'stage.active
stage.dormant
stage.new' "$(run 'crm-segment --config stage')"
done
out 'bash completes an argument after = (--output=)' 'table
tsv' "bash -c '$(bash_complete _crm_command 'crm-tag --output = t')'"
out 'bash escapes the values that the shell would read otherwise' '\,
\;
\|
tab' "bash -c '$(bash_complete _crm_command 'crm-add --delimiter ""')'"
# A command is asked for its options once a session, however often TAB is typed.
mkdir counted
printf '#!/bin/sh\n[ "$*" = --complete ] && echo asked >> "%s/asked"\nexec "%s/crm-tag" "$@"\n' "$WORK" "$CRM_BIN" \
	> counted/crm-tag
chmod +x counted/crm-tag
out 'bash asks crm-tag --complete once for three completions' '1' "PATH=\$PWD/counted:\$PATH bash -c '
	source $COMP/crm.bash
	for line in \"crm-tag --\" \"crm-tag -o \" \"crm-tag --stale \"; do
		COMP_WORDS=(\$line \"\"); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); _crm_command
	done' > /dev/null; wc -l < asked"
out 'zsh asks it once too' '1' "rm -f asked; PATH=\$PWD/counted:\$PATH timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' \
	'crm-tag --' 'crm-tag -o ' 'crm-tag --stale ' > /dev/null; wc -l < asked"
out 'fish asks it once, when it loads the completion' '1' "rm -f asked; PATH=\$PWD/counted:\$PATH fish -c '
	source $COMP/crm-tag.fish; complete -C \"crm-tag --\"; complete -C \"crm-tag -o \"' > /dev/null; wc -l < asked"

# crm: the commands first, then each command's own completion.
crm_complete() { # crm_complete SHELL LINE: what SHELL offers for LINE's last word
	case $1 in
	bash)
		words=$2
		case $words in *' ') words="$words\"\"" ;; esac
		printf "bash -c '%s'" "$(bash_complete _crm "$words")" ;;
	zsh) printf "timeout 30 zsh '%s' '%s' '%s'" "$TESTS/zsh-complete.zsh" "$COMP" "$2" ;;
	fish) printf "fish -c 'set fish_complete_path %s \$fish_complete_path; complete -C \"%s\"' | cut -f1 | sort -u" \
		"$COMP" "$2" ;;
	esac
}
commands='add
export
help
note
profile
rm
score
segment
tag'
for shell in bash zsh fish; do
	out "$shell completes crm's first word: the commands and help" "$commands" "$(crm_complete $shell 'crm ')"
	out "$shell completes crm t to tag" 'tag' "$(crm_complete $shell 'crm t')"
	out "$shell completes crm's options" '--help
--version' "$(crm_complete $shell 'crm --')"
	out "$shell hands crm tag -- to crm-tag's completion" "$(crm-tag --help | grep -o -- '--[a-z-]*' | sort -u)" \
		"$(crm_complete $shell 'crm tag --')"
	out "$shell hands crm export -o to crm-export's" "$export_formats" "$(crm_complete $shell 'crm export -o ')"
	out "$shell completes crm help with the commands and expr" "$(echo "$commands" | sed 's/^help$/expr/' | sort)" \
		"$(crm_complete $shell 'crm help ')"
	out "$shell completes nothing after crm help CMD" '' "$(crm_complete $shell 'crm help tag ') | grep ."
done
for opt in --help --version; do
	ok "crm(1) documents $opt" "grep -q -- '^\\.It Fl [a-z] , Fl -${opt#--}\\|^\\.It Fl -${opt#--}' '$MAN/crm.1'"
done

out 'bash completes field names from the database, after a comma' 'id,level
id,name' "bash -c '$(bash_complete _crm_command "crm-export -f id,")' | grep -e level -e name"
out 'zsh completes field names from the database' 'level' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-export -f id,le'"
out 'fish completes field names from the database' 'id,level' \
	"fish -c 'source $COMP/crm-export.fish; complete -C \"crm-export -f id,le\"' | cut -f1"
out 'bash completes --set with field names' 'name=' "bash -c '$(bash_complete _crm_command "crm-add --set na")'"
out 'zsh completes the kinds' 'customers
events' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-add -k '"
out 'bash completes segment names' '高价值' "bash -c '$(bash_complete _crm_command "crm-segment --diff \"\"")'"
out 'zsh completes segment names' '高价值' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-export -s '"
out 'fish completes segment names' '高价值' \
	"fish -c 'source $COMP/crm-segment.fish; complete -C \"crm-segment -s \"' | cut -f1"
out 'bash completes --by with tag and fields' 'tag
tags' "bash -c '$(bash_complete _crm_command "crm-segment --by ta")'"
out 'bash completes setting keys after --config' 'stage.active
stage.dormant
stage.new' "bash -c '$(bash_complete _crm_command "crm-segment --config st")'"
crm-tag -q -a 'V I P' 1
out 'bash completes tag names, spaces and all, escaped' 'V\ I\ P' "bash -c '$(bash_complete _crm_command "crm-tag -r V")'"
out 'bash completes the tag after --merge FROM' '金卡' "bash -c '$(bash_complete _crm_command "crm-tag --merge \"V I P\" 金")'"
out 'zsh completes tag names' 'V I P
金卡' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-tag -a '"
out 'fish completes tag names' 'V I P
金卡' "fish -c 'source $COMP/crm-tag.fish; complete -C \"crm-tag --delete \"' | cut -f1 | sort"
out 'bash completes each tag after --merge-tags TAG' 'V\ I\ P' "bash -c '$(bash_complete _crm_command "crm-tag --merge-tags 金卡 老客户 V")'"
out 'zsh completes the tags after --merge-tags TAG' 'V I P
金卡' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-tag --merge-tags 金卡 '"
out 'fish completes the tags after --merge-tags TAG' 'V I P
金卡' "fish -c 'source $COMP/crm-tag.fish; complete -C \"crm-tag --merge-tags 金卡 \"' | cut -f1 | sort"
out 'fish completes the tag after --rename' 'V I P
金卡' "fish -c 'source $COMP/crm-tag.fish; complete -C \"crm-tag --rename \"' | cut -f1 | sort"
match_keys='email
openid
phone
unionid
wechat_id'
out 'bash completes crm-tag --match with the keys' "$match_keys" \
	"bash -c '$(bash_complete _crm_command "crm-tag -a x --match \"\"")' | sort"
out 'zsh completes crm-tag --match with the keys' "$match_keys" \
	"timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-tag -a x --match '"
out 'fish completes crm-tag --match with the keys' "$match_keys" \
	"fish -c 'source $COMP/crm-tag.fish; complete -C \"crm-tag -a x --match \"' | cut -f1 | sort"
out 'bash completes --stale with windows' '180d
1y' "bash -c '$(bash_complete _crm_command "crm-tag --audit --stale 1")' | sort"
out 'zsh completes --stale with windows' '180d
1y
30d
90d' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-tag --audit --stale '"
out 'fish completes --stale with windows' '180d
1y
30d
90d' "fish -c 'source $COMP/crm-tag.fish; complete -C \"crm-tag --audit --stale \"' | cut -f1 | sort"
out 'bash completes rule names' '老客户' "bash -c '$(bash_complete _crm_command "crm-tag --drop-rule \"\"")'"
out 'fish completes rule names' '老客户' "fish -c 'source $COMP/crm-tag.fish; complete -C \"crm-tag --drop-rule \"' | cut -f1"
out 'zsh completes the categories' 'basic
behavior
custom
interest
relationship' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-tag --define x --category '"
# Names with a space and a quote, as each shell puts them on the line: bash
# typed at a terminal (INPUTRC=/dev/null: its defaults), the words the
# command then gets; zsh and fish, what they offer (they quote it themselves).
crm-tag -q -a '老 客户' -a "O'Brien's" 1
crm-segment -q --save "O'Neil 组" -w 'age > 30'
bash_typed() { # bash_typed N CMD LINE: the words of LINE, TAB typed at its end, CMD's completion
	printf 'source %s\nshow() { printf "<""<%%s>"">\\n" "$@"; }\n_show() { COMP_WORDS[0]=%s; _crm_command; }\ncomplete -F _show show\n%s\t\nexit\n' \
		"$COMP/crm.bash" "$2" "$3" > "typed.$1"
	printf '%s\n' "INPUTRC=/dev/null timeout 30 script -qec 'bash --norc --noprofile -i' /dev/null \
< typed.$1 | tr -d '\\r' | grep -o '<<[^>]*>>' | sed 's/^<<//; s/>>\$//'"
}
out 'bash completes a tag with a space, escaped' '-r
老 客户' "$(bash_typed 1 crm-tag 'show -r 老')"
out 'bash completes a tag with quotes, escaped' "-r
O'Brien's" "$(bash_typed 2 crm-tag 'show -r O')"
out '... and after an opening double quote' '-a
老 客户' "$(bash_typed 3 crm-tag 'show -a "老')"
out '... and after an opening single quote' "--delete
O'Brien's" "$(bash_typed 4 crm-tag "show --delete 'O")"
out 'bash completes a segment with quotes and a space' "-s
O'Neil 组" "$(bash_typed 5 crm-segment 'show -s O')"
out '... after --diff too' "--diff
O'Neil 组" "$(bash_typed 6 crm-segment "show --diff 'O")"
out 'zsh offers tags with spaces and quotes' "O'Brien's
V I P
老 客户
金卡" "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-tag -r '"
out 'fish offers tags with spaces and quotes' "O'Brien's
V I P
老 客户
金卡" "fish -c 'source $COMP/crm-tag.fish; complete -C \"crm-tag -r \"' | cut -f1 | sort"
out 'zsh offers a segment with a space and a quote' "O'Neil 组
高价值" "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-export -s '"
out 'fish offers a segment with a space and a quote' "O'Neil 组
高价值" "fish -c 'source $COMP/crm-segment.fish; complete -C \"crm-segment -s \"' | cut -f1 | sort"
out 'bash: crm tag -r offers the tags, escaped as for crm-tag -r' "O\\'Brien\\'s
V\\ I\\ P
老\\ 客户
金卡" "$(crm_complete bash 'crm tag -r ')"
out 'bash: crm tag --merge FROM offers the tags, the words shifted' '金卡' "$(crm_complete bash 'crm tag --merge "V I P" 金')"
out 'zsh: crm tag -r offers the tags with spaces and quotes' "O'Brien's
V I P
老 客户
金卡" "$(crm_complete zsh 'crm tag -r ')"
out 'fish: crm tag -r offers the tags with spaces and quotes' "O'Brien's
V I P
老 客户
金卡" "$(crm_complete fish 'crm tag -r ')"
out 'bash completes model names' 'rfm
价值' "bash -c '$(bash_complete _crm_command "crm-score -m \"\"")'"
out 'zsh completes model names' 'rfm
价值' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-score --show '"
out 'fish completes model names' 'rfm
价值' "fish -c 'source $COMP/crm-score.fish; complete -C \"crm-score --model \"' | cut -f1 | sort"
out 'bash completes note categories' '售后' "bash -c '$(bash_complete _crm_command "crm-note -c 售")'"
out 'zsh completes note categories' '其他
售后
回访
投诉
沟通
需求' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-note -c '"
out 'fish completes note categories' '售后' "fish -c 'source $COMP/crm-note.fish; complete -C \"crm-note --category 售\"' | cut -f1"
out 'fish completes --match' 'email
openid
phone
unionid
wechat_id' "fish -c 'source $COMP/crm-add.fish; complete -C \"crm-add --match \"' | cut -f1 | sort"
out 'bash completes --match with the WeChat ids' 'openid
unionid' "bash -c '$(bash_complete _crm_command "crm-add --match \"\"")' | grep id\$ | grep -v wechat"
out 'bash completes --date-format' 'DMY
MDY
YMD' "bash -c '$(bash_complete _crm_command "crm-add --date-format \"\"")'"
out 'zsh completes --date-format' 'DMY
MDY
YMD' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-add --date-format '"
out 'fish completes --date-format' 'DMY
MDY
YMD' "fish -c 'source $COMP/crm-add.fish; complete -C \"crm-add --date-format \"' | cut -f1"
dup_keys='email
openid
phone
unionid
wechat_id'
out 'bash completes --duplicates with the keys' "$dup_keys" \
	"bash -c '$(bash_complete _crm_command "crm-segment --duplicates \"\"")' | sort"
out 'zsh completes --duplicates with the keys' "$dup_keys" \
	"timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-segment --duplicates ' | sort"
out 'fish completes --duplicates with the keys' "$dup_keys" \
	"fish -c 'source $COMP/crm-segment.fish; complete -C \"crm-segment --duplicates \"' | cut -f1 | sort"
out 'bash completes --on-conflict' 'first
last
reject' "bash -c '$(bash_complete _crm_command "crm-add --on-conflict \"\"")'"
out 'zsh completes --on-conflict' 'first
last
reject' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-add --on-conflict ' | sort"
out 'fish completes --on-conflict' 'first
last
reject' "fish -c 'source $COMP/crm-add.fish; complete -C \"crm-add --on-conflict \"' | cut -f1 | sort"
out 'bash completes -i with xlsx' 'xlsx' "bash -c '$(bash_complete _crm_command "crm-tag -i x")'"
out 'bash completes --map with field names and =' 'phone=' "bash -c '$(bash_complete _crm_command "crm-add --map pho")'"
out 'bash completes the field after --map SRC=' '手机=phone' "bash -c '$(bash_complete _crm_command "crm-add --map 手机=pho")'"
keys='email
openid
phone
wechat_id'
out 'bash completes the keys of --merge-duplicates' "$keys" "bash -c '$(bash_complete _crm_command "crm-rm --merge-duplicates \"\"")'"
out 'zsh completes the keys of --merge-duplicates' "$keys" "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-rm --merge-duplicates '"
out 'fish completes the keys of --merge-duplicates' "$keys" \
	"fish -c 'source $COMP/crm-rm.fish; complete -C \"crm-rm --merge-duplicates \"' | cut -f1 | sort"
done_testing
