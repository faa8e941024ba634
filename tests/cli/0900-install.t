#!/bin/sh
# make install puts commands, man pages and completions under DESTDIR/PREFIX.
. "$(dirname "$0")/../lib.sh"

TOP=$(cd "$TESTS/.." && pwd)
ok 'make install with DESTDIR and PREFIX' \
	"make -s -C '$TOP' install B='$CRM_BIN' DESTDIR='$WORK/root' PREFIX=/opt/crm > make.out 2>&1"
out 'installs the commands, man pages and completions' 'opt/crm/bin/crm
opt/crm/bin/crm-add
opt/crm/bin/crm-export
opt/crm/bin/crm-note
opt/crm/bin/crm-profile
opt/crm/bin/crm-rm
opt/crm/bin/crm-score
opt/crm/bin/crm-segment
opt/crm/bin/crm-tag
opt/crm/share/bash-completion/completions/crm
opt/crm/share/bash-completion/completions/crm-add
opt/crm/share/bash-completion/completions/crm-export
opt/crm/share/bash-completion/completions/crm-note
opt/crm/share/bash-completion/completions/crm-profile
opt/crm/share/bash-completion/completions/crm-rm
opt/crm/share/bash-completion/completions/crm-score
opt/crm/share/bash-completion/completions/crm-segment
opt/crm/share/bash-completion/completions/crm-tag
opt/crm/share/fish/vendor_completions.d/crm-add.fish
opt/crm/share/fish/vendor_completions.d/crm-export.fish
opt/crm/share/fish/vendor_completions.d/crm-note.fish
opt/crm/share/fish/vendor_completions.d/crm-profile.fish
opt/crm/share/fish/vendor_completions.d/crm-rm.fish
opt/crm/share/fish/vendor_completions.d/crm-score.fish
opt/crm/share/fish/vendor_completions.d/crm-segment.fish
opt/crm/share/fish/vendor_completions.d/crm-tag.fish
opt/crm/share/fish/vendor_completions.d/crm.fish
opt/crm/share/man/man1/crm-add.1
opt/crm/share/man/man1/crm-export.1
opt/crm/share/man/man1/crm-note.1
opt/crm/share/man/man1/crm-profile.1
opt/crm/share/man/man1/crm-rm.1
opt/crm/share/man/man1/crm-score.1
opt/crm/share/man/man1/crm-segment.1
opt/crm/share/man/man1/crm-tag.1
opt/crm/share/man/man1/crm.1
opt/crm/share/man/man5/crm.5
opt/crm/share/man/man7/crm-expr.7
opt/crm/share/man/man7/crm.7
opt/crm/share/zsh/site-functions/_crm' "cd root && find . -type f -o -type l | sed 's|^\./||' | sort"
out 'the installed command runs' 'crm-add (crm) 0.1.0' 'root/opt/crm/bin/crm-add --version'
# Only the install's bin in PATH: crm finds its commands beside itself.
BIN=$WORK/root/opt/crm/bin
out 'the installed crm runs the installed crm-tag' "$($BIN/crm-tag --help)" "env PATH='$BIN' crm tag --help"
golden '... and lists the installed commands' crm-help.txt "env PATH='$BIN' crm help"
out '... and with no PATH at all' "$($BIN/crm-tag --version)" "env -u PATH '$BIN/crm' tag --version"
if command -v man > /dev/null; then
	out "crm help tag opens the installed crm-tag(1), beside it" '1' \
		"MANPATH=/nonexistent '$BIN/crm' help tag | grep -c 'crm-tag — tag customers'"
else
	skip 'man is not installed'
fi
ok 'the installed man page reads' "MANPATH=root/opt/crm/share/man man -P cat crm-add > /dev/null 2>&1 || mandoc root/opt/crm/share/man/man1/crm-add.1 > /dev/null"
ok 'make uninstall removes them' \
	"make -s -C '$TOP' uninstall DESTDIR='$WORK/root' PREFIX=/opt/crm > /dev/null 2>&1 && test -z \"\$(find root ! -type d)\""
done_testing
