# fish completion for crm: the command, then that command's own completion,
# as if crm-CMD had been typed (crm tag -a <TAB> is crm-tag -a <TAB>).
function __crm_commands # the commands crm help lists: its lines "  NAME  SUMMARY"
    string replace -rf '^  (\S+)\s+(.*)$' '$1\t$2' -- (crm help 2>/dev/null)
end
function __crm_needs_command
    test (count (commandline -opc)) -eq 1
end
function __crm_in_help
    set -l words (commandline -opc)
    test (count $words) -eq 2; and test "$words[2]" = help
end
function __crm_runs_command
    set -l words (commandline -opc)
    test (count $words) -ge 2; and not string match -q -- '-*' $words[2]
    and test "$words[2]" != help
end
function __crm_command_completion
    set -l words (commandline -opc)
    set -l line crm-$words[2] (string escape -- $words[3..-1]) (commandline -ct)
    complete -C (string join ' ' -- $line)
end
complete -c crm -f
complete -c crm -n __crm_needs_command -a '(__crm_commands)'
complete -c crm -n __crm_needs_command -a help -d "list the commands, or show a command's manual"
complete -c crm -n __crm_needs_command -s h -l help -d 'show the help'
complete -c crm -n __crm_needs_command -l version -d 'show the version'
complete -c crm -n __crm_in_help -a '(__crm_commands)'
complete -c crm -n __crm_in_help -a expr -d 'the expression language, crm-expr(7)'
complete -c crm -n __crm_runs_command -a '(__crm_command_completion)'
