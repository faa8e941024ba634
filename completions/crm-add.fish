# fish completion for crm-add: its options as crm-add --complete describes
# them, read by the functions of crm.fish
functions -q __crm_complete_command; or source (status dirname)/crm.fish
__crm_complete_command crm-add
