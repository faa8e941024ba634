# fish completion for crm: the command, then that command's own completion,
# as if crm-CMD had been typed (crm tag -a <TAB> is crm-tag -a <TAB>).
#
# The functions here complete every crm command (crm-*.fish call
# __crm_complete_command): each describes its own options, as
# `crm-tag --complete` prints them, a line each (short, long, argument, what
# it completes to, help; cmd/cli.h), then what its operands complete to.
# That is read once, when fish loads the command's completion; tags,
# segments, fields... are asked of the database each time.

function __crm_db # the -d given on the line, for asking the database
    set -l words (commandline -opc)
    set -l i (contains -i -- -d $words; or contains -i -- --db $words)
    and echo -d $words[(math $i + 1)]
end

function __crm_ask --argument-names cmd option # the names CMD OPTION lists (crm-tag --list)
    $cmd (__crm_db) $option -o ids 2>/dev/null
end

function __crm_fields # the fields there are (of the -k kind on the line)
    set -l words (commandline -opc)
    set -l kind customers
    set -l i (contains -i -- -k $words; or contains -i -- --kind $words)
    and set kind $words[(math $i + 1)]
    crm-export (__crm_db) -k $kind --list-fields 2>/dev/null
end

function __crm_list # WORD...: each after what the word completed has up to its last comma
    set -l done (string match -r '.*,' -- (commandline -ct))
    set -q done[1]; or set done ''
    printf '%s\n' $done$argv
end

function __crm_commands # the commands crm help lists: its lines "  NAME  SUMMARY"
    string replace -rf '^  (\S+)\s+(.*)$' '$1\t$2' -- (crm help 2>/dev/null)
end

function __crm_complete_as --argument-names what # a kind (cmd/cli.h) or values
    switch $what
        case @segment
            __crm_ask crm-segment --list
        case @tag
            __crm_ask crm-tag --list
        case @rule
            __crm_ask crm-tag --rules
        case @model
            __crm_ask crm-score --models
        case @category
            __crm_ask crm-note --categories
        case @setting
            __crm_ask crm-segment --config
        case @command
            __crm_commands
            printf '%s\t%s\n' help "list the commands, or show a command's manual"
        case @fields
            __crm_list (__crm_fields)
        case @sort
            set -l f (__crm_fields)
            __crm_list $f -$f
        case @by
            __crm_list tag (__crm_fields)
        case @field=
            __crm_fields | string replace -r '$' =
        case @map # SRC=FIELD: a field, then after the = the field it is read as
            set -l src (string match -r '^[^=]*=' -- (commandline -ct))
            if set -q src[1]
                __crm_fields | string replace -r '^' -- $src
            else
                __crm_fields | string replace -r '$' =
            end
        case '@*' -
        case '*'
            string split ' ' -- $what
    end
end

# CMD [CONDITION]: CMD's completions, from CMD --complete; each only when
# CONDITION holds, if given.
function __crm_complete_command --argument-names cmd condition
    set -l when
    test -n "$condition"; and set when -n $condition
    set -l after # the options after which the operands are something else
    for line in ($cmd --complete 2>/dev/null)
        set -l f (string split \t -- $line)
        set -l what "(__crm_complete_as "(string escape -- $f[4])")"
        if test "$f[1]" = --
            set -l seen "__fish_seen_argument $after"
            if test "$f[2]" != -
                set -a after -l (string sub -s 3 -- $f[2])
                set seen "__fish_seen_argument -l "(string sub -s 3 -- $f[2])
            else if not set -q after[1]
                set seen true
            else
                set seen "not $seen"
            end
            test -n "$condition"; and set seen "$condition; and $seen"
            switch $f[4]
                case @file
                    complete -c $cmd -n $seen -F
                case -
                    complete -c $cmd -n $seen -f
                case '*'
                    complete -c $cmd -n $seen -f -a $what
            end
            continue
        end
        set -l spec -c $cmd $when -l (string sub -s 3 -- $f[2]) -d $f[5]
        test "$f[1]" != -; and set -a spec -s (string sub -s 2 -- $f[1])
        if test "$f[3]" = -
        else if test "$f[4]" = @file
            set -a spec -r -F
        else if test "$f[4]" = -
            set -a spec -x
        else
            set -a spec -x -a $what
        end
        complete $spec
    end
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

# Sourced again for a command's completion, it does not add crm's twice.
if not set -q __crm_completes_crm
    set -g __crm_completes_crm
    complete -c crm -f
    __crm_complete_command crm __crm_needs_command
    complete -c crm -n __crm_in_help -a '(__crm_commands)'
    complete -c crm -n __crm_in_help -a expr -d 'the expression language, crm-expr(7)'
    complete -c crm -n __crm_runs_command -a '(__crm_command_completion)'
end
