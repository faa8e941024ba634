# fish completion for crm-score: its options as crm-score --complete describes
# them, read by the functions of crm.fish
functions -q __crm_complete_command; or source (status dirname)/crm.fish
__crm_complete_command crm-score
