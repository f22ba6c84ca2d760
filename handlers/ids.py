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

# /met settings (nudge preferences)
SETTINGS_CALLBACK = "nudge_settings_modal"
SETTINGS_FOLLOW_UP_BLOCK = "settings_follow_up"
SETTINGS_FOLLOW_UP_ACTION = "default_follow_up"
SETTINGS_START_BLOCK = "settings_start"
SETTINGS_START_ACTION = "work_start"
SETTINGS_END_BLOCK = "settings_end"
SETTINGS_END_ACTION = "work_end"
SETTINGS_DAYS_BLOCK = "settings_days"
SETTINGS_DAYS_ACTION = "work_days"
SETTINGS_PAUSE_BLOCK = "settings_pause"
SETTINGS_PAUSE_ACTION = "paused_until"
SETTINGS_DIGEST_BLOCK = "settings_digest"
SETTINGS_DIGEST_ACTION = "digest"
SETTINGS_FIELD_BLOCKS = {
    "default_follow_up_days": SETTINGS_FOLLOW_UP_BLOCK,
    "work_start": SETTINGS_START_BLOCK,
    "work_end": SETTINGS_END_BLOCK,
    "work_days": SETTINGS_DAYS_BLOCK,
    "paused_until": SETTINGS_PAUSE_BLOCK,
}

# Keep-in-touch buttons on a /met reply
MET_KEEP_IN_TOUCH_ACTION = "met_keep_in_touch"

# Nudge DMs (follow-ups, keep-in-touch). Digests carry several nudges, and Slack wants action_ids unique within a
# message, so each element's action_id is PREFIX + ":" + nudge id (listeners match the prefix with a regex) and the
# nudge's blocks are "nudge:<id>" (actions) and "nudge_text:<id>" (its line).
NUDGE_DONE_ACTION = "nudge_done"
NUDGE_SNOOZE_ACTION = "nudge_snooze"
NUDGE_DISMISS_ACTION = "nudge_dismiss"
NUDGE_CADENCE_ACTION = "nudge_cadence"
NUDGE_ACTIONS_BLOCK = "nudge"
NUDGE_TEXT_BLOCK = "nudge_text"
