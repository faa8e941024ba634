#!/bin/sh
# Completions, in the real shells: the options --help gives, no more, no
# fewer; formats, kinds and field names. The man pages document each option.
. "$(dirname "$0")/../lib.sh"

COMP=$TESTS/../completions
MAN=$TESTS/../man
printf 'id,name,level\n1,张三,gold\n' | crm-add -q > /dev/null

bash_complete() { # bash_complete FUNCTION WORD...: what bash offers for the last word
	printf 'source %s; COMP_WORDS=(%s); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); %s; printf "%%s\\n" "${COMPREPLY[@]}" | sort -u' \
		"$COMP/crm.bash" "$2" "$1"
}

for c in crm-add crm-export crm-segment crm-tag crm-score crm-note crm-rm; do
	f=_$(echo $c | tr - _)
	formats='csv
ids
json
ndjson
table
tsv'
	[ $c = crm-export ] && formats='csv
ids
json
ndjson
table
tsv
vcard
wechat
xlsx'
	[ $c = crm-segment ] && formats='chart
csv
ids
json
ndjson
table
tsv'
	want=$($c --help | grep -o -- '--[a-z-]*' | sort -u)
	out "bash offers $c's long options" "$want" "bash -c '$(bash_complete $f "$c --")'"
	out "zsh offers $c's long options" "$want" "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' '$c --'"
	out "fish offers $c's long options" "$want" \
		"fish -c 'source $COMP/$c.fish; complete -C \"$c --\"' | cut -f1 | sort -u"
	for shell in bash zsh fish; do
		case $shell in
		bash) cmd="bash -c '$(bash_complete $f "$c -o \"\"")'" ;;
		zsh) cmd="timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' '$c -o '" ;;
		fish) cmd="fish -c 'source $COMP/$c.fish; complete -C \"$c -o \"' | cut -f1 | sort -u" ;;
		esac
		out "$shell completes $c's output formats" "$formats" "$cmd"
	done
	for opt in $want; do
		ok "$c(1) or crm(7) documents $opt" "grep -q -- '^\\.It Fl [a-z] , Fl -${opt#--}\\|^\\.It Fl -${opt#--}' '$MAN/$c.1' '$MAN/crm.7'"
	done
done

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
	out "$shell hands crm export -o to crm-export's" 'csv
ids
json
ndjson
table
tsv
vcard
wechat
xlsx' "$(crm_complete $shell 'crm export -o ')"
	out "$shell completes crm help with the commands and expr" "$(echo "$commands" | sed 's/^help$/expr/' | sort)" \
		"$(crm_complete $shell 'crm help ')"
	out "$shell completes nothing after crm help CMD" '' "$(crm_complete $shell 'crm help tag ') | grep ."
done
for opt in --help --version; do
	ok "crm(1) documents $opt" "grep -q -- '^\\.It Fl [a-z] , Fl -${opt#--}\\|^\\.It Fl -${opt#--}' '$MAN/crm.1'"
done

out 'bash completes field names from the database, after a comma' 'id,level
id,name' "bash -c '$(bash_complete _crm_export "crm-export -f id,")' | grep -e level -e name"
out 'zsh completes field names from the database' 'level' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-export -f id,le'"
out 'fish completes field names from the database' 'id,level' \
	"fish -c 'source $COMP/crm-export.fish; complete -C \"crm-export -f id,le\"' | cut -f1"
out 'bash completes --set with field names' 'name=' "bash -c '$(bash_complete _crm_add "crm-add --set na")'"
out 'zsh completes the kinds' 'customers
events' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-add -k '"
crm-segment -q --save 高价值 -w 'age > 30'
out 'bash completes segment names' '高价值' "bash -c '$(bash_complete _crm_segment "crm-segment --diff \"\"")'"
out 'zsh completes segment names' '高价值' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-export -s '"
out 'fish completes segment names' '高价值' \
	"fish -c 'source $COMP/crm-segment.fish; complete -C \"crm-segment -s \"' | cut -f1"
out 'bash completes --by with tag and fields' 'tag
tags' "bash -c '$(bash_complete _crm_segment "crm-segment --by ta")'"
out 'bash completes setting keys after --config' 'stage.active
stage.dormant
stage.new' "bash -c '$(bash_complete _crm_segment "crm-segment --config st")'"
crm-tag -q -a 'V I P' -a 金卡 1
crm-tag -q --rule 老客户 --tag 金卡 -w 'age > 30'
out 'bash completes tag names, spaces and all, escaped' 'V\ I\ P' "bash -c '$(bash_complete _crm_tag "crm-tag -r V")'"
out 'bash completes the tag after --merge FROM' '金卡' "bash -c '$(bash_complete _crm_tag "crm-tag --merge \"V I P\" 金")'"
out 'zsh completes tag names' 'V I P
金卡' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-tag -a '"
out 'fish completes tag names' 'V I P
金卡' "fish -c 'source $COMP/crm-tag.fish; complete -C \"crm-tag --delete \"' | cut -f1 | sort"
out 'bash completes each tag after --merge-tags TAG' 'V\ I\ P' "bash -c '$(bash_complete _crm_tag "crm-tag --merge-tags 金卡 老客户 V")'"
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
	"bash -c '$(bash_complete _crm_tag "crm-tag -a x --match \"\"")' | sort"
out 'zsh completes crm-tag --match with the keys' "$match_keys" \
	"timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-tag -a x --match '"
out 'fish completes crm-tag --match with the keys' "$match_keys" \
	"fish -c 'source $COMP/crm-tag.fish; complete -C \"crm-tag -a x --match \"' | cut -f1 | sort"
out 'bash completes --stale with windows' '180d
1y' "bash -c '$(bash_complete _crm_tag "crm-tag --audit --stale 1")' | sort"
out 'zsh completes --stale with windows' '180d
1y
30d
90d' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-tag --audit --stale '"
out 'fish completes --stale with windows' '180d
1y
30d
90d' "fish -c 'source $COMP/crm-tag.fish; complete -C \"crm-tag --audit --stale \"' | cut -f1 | sort"
out 'bash completes rule names' '老客户' "bash -c '$(bash_complete _crm_tag "crm-tag --drop-rule \"\"")'"
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
bash_typed() { # bash_typed N FUNCTION LINE: the words of LINE, TAB typed at its end
	printf 'source %s\nshow() { printf "<""<%%s>"">\\n" "$@"; }\ncomplete -F %s show\n%s\t\nexit\n' \
		"$COMP/crm.bash" "$2" "$3" > "typed.$1"
	printf '%s\n' "INPUTRC=/dev/null timeout 30 script -qec 'bash --norc --noprofile -i' /dev/null \
< typed.$1 | tr -d '\\r' | grep -o '<<[^>]*>>' | sed 's/^<<//; s/>>\$//'"
}
out 'bash completes a tag with a space, escaped' '-r
老 客户' "$(bash_typed 1 _crm_tag 'show -r 老')"
out 'bash completes a tag with quotes, escaped' "-r
O'Brien's" "$(bash_typed 2 _crm_tag 'show -r O')"
out '... and after an opening double quote' '-a
老 客户' "$(bash_typed 3 _crm_tag 'show -a "老')"
out '... and after an opening single quote' "--delete
O'Brien's" "$(bash_typed 4 _crm_tag "show --delete 'O")"
out 'bash completes a segment with quotes and a space' "-s
O'Neil 组" "$(bash_typed 5 _crm_segment 'show -s O')"
out '... after --diff too' "--diff
O'Neil 组" "$(bash_typed 6 _crm_segment "show --diff 'O")"
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
printf 'grade A 1\nrule 1 age > 1\n' > m.model
crm-score -q --define 价值 m.model
out 'bash completes model names' 'rfm
价值' "bash -c '$(bash_complete _crm_score "crm-score -m \"\"")'"
out 'zsh completes model names' 'rfm
价值' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-score --show '"
out 'fish completes model names' 'rfm
价值' "fish -c 'source $COMP/crm-score.fish; complete -C \"crm-score --model \"' | cut -f1 | sort"
crm-note -q --add-category 售后
out 'bash completes note categories' '售后' "bash -c '$(bash_complete _crm_note "crm-note -c 售")'"
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
unionid' "bash -c '$(bash_complete _crm_add "crm-add --match \"\"")' | grep id\$ | grep -v wechat"
out 'bash completes --date-format' 'DMY
MDY
YMD' "bash -c '$(bash_complete _crm_add "crm-add --date-format \"\"")'"
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
	"bash -c '$(bash_complete _crm_segment "crm-segment --duplicates \"\"")' | sort"
out 'zsh completes --duplicates with the keys' "$dup_keys" \
	"timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-segment --duplicates ' | sort"
out 'fish completes --duplicates with the keys' "$dup_keys" \
	"fish -c 'source $COMP/crm-segment.fish; complete -C \"crm-segment --duplicates \"' | cut -f1 | sort"
out 'bash completes --on-conflict' 'first
last
reject' "bash -c '$(bash_complete _crm_add "crm-add --on-conflict \"\"")'"
out 'zsh completes --on-conflict' 'first
last
reject' "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-add --on-conflict ' | sort"
out 'fish completes --on-conflict' 'first
last
reject' "fish -c 'source $COMP/crm-add.fish; complete -C \"crm-add --on-conflict \"' | cut -f1 | sort"
out 'bash completes -i with xlsx' 'xlsx' "bash -c '$(bash_complete _crm_tag "crm-tag -i x")'"
out 'bash completes --map with field names and =' 'phone=' "bash -c '$(bash_complete _crm_add "crm-add --map pho")'"
out 'bash completes the field after --map SRC=' '手机=phone' "bash -c '$(bash_complete _crm_add "crm-add --map 手机=pho")'"
keys='email
openid
phone
wechat_id'
out 'bash completes the keys of --merge-duplicates' "$keys" "bash -c '$(bash_complete _crm_rm "crm-rm --merge-duplicates \"\"")'"
out 'zsh completes the keys of --merge-duplicates' "$keys" "timeout 30 zsh '$TESTS/zsh-complete.zsh' '$COMP' 'crm-rm --merge-duplicates '"
out 'fish completes the keys of --merge-duplicates' "$keys" \
	"fish -c 'source $COMP/crm-rm.fish; complete -C \"crm-rm --merge-duplicates \"' | cut -f1 | sort"
done_testing
