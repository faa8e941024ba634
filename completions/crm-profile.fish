# fish completion for crm-profile: its options as crm-profile --complete describes
# them, read by the functions of crm.fish
functions -q __crm_complete_command; or source (status dirname)/crm.fish
__crm_complete_command crm-profile
