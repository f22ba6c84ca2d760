"""Every action_id, callback_id and block_id Rapport uses, in one place."""

# /met
MET_UNDO_ACTION = "met_undo"
MET_OPEN_MODAL_ACTION = "met_open_modal"
MET_LOG_CALLBACK = "met_log_modal"
MET_PEOPLE_BLOCK = "met_people"
MET_PEOPLE_ACTION = "people"
MET_DATE_BLOCK = "met_date"
MET_DATE_ACTION = "date"
MET_KIND_BLOCK = "met_kind"
MET_KIND_ACTION = "kind"
MET_NOTES_BLOCK = "met_notes"
MET_NOTES_ACTION = "notes"
MET_FOLLOW_UP_BLOCK = "met_follow_up"
MET_FOLLOW_UP_ACTION = "follow_up"

# Modal field name (service) → block id (view), for response_action=errors.
MET_FIELD_BLOCKS = {
    "people": MET_PEOPLE_BLOCK,
    "date": MET_DATE_BLOCK,
    "kind": MET_KIND_BLOCK,
    "notes": MET_NOTES_BLOCK,
    "follow_up": MET_FOLLOW_UP_BLOCK,
}
