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

# /coffee
COFFEE_SETTINGS_CALLBACK = "coffee_settings_modal"
COFFEE_CADENCE_BLOCK = "coffee_cadence"
COFFEE_CADENCE_ACTION = "cadence"
COFFEE_WEEKDAY_BLOCK = "coffee_weekday"
COFFEE_WEEKDAY_ACTION = "weekday"
COFFEE_TIME_BLOCK = "coffee_time"
COFFEE_TIME_ACTION = "local_time"
COFFEE_TZ_BLOCK = "coffee_tz"
COFFEE_TZ_ACTION = "tz"
COFFEE_SIZE_BLOCK = "coffee_size"
COFFEE_SIZE_ACTION = "group_size"
COFFEE_POOL_BLOCK = "coffee_pool"
COFFEE_POOL_ACTION = "pool_mode"
COFFEE_OPT_IN_BLOCK = "coffee_opt_in"
COFFEE_OPT_IN_ACTION = "opt_in"
COFFEE_SKIP_ACTION = "coffee_skip_round"
COFFEE_PAUSE_UNTIL_ACTION = "coffee_pause_until"
COFFEE_JOIN_ACTION = "coffee_join"
COFFEE_MET_ACTION = "coffee_we_met"
COFFEE_SCHEDULED_ACTION = "coffee_scheduled"
COFFEE_NOT_THIS_TIME_ACTION = "coffee_not_this_time"
COFFEE_NOTE_ACTION = "coffee_add_note"
COFFEE_NOW_REPLACE_ACTION = "coffee_now_replace"
COFFEE_NOW_EXTRA_ACTION = "coffee_now_extra"
COFFEE_NOTE_CALLBACK = "coffee_note_modal"
COFFEE_NOTE_BLOCK = "coffee_note"
COFFEE_NOTE_INPUT_ACTION = "note"

# App Home (its quick actions; follow-up rows reuse the NUDGE_* actions of the DM)
HOME_LOG_ACTION = "home_log_meeting"
HOME_GOAL_ACTION = "home_set_goal"
HOME_SETTINGS_ACTION = "home_settings"
HOME_MAP_ACTION = "home_network_map"
GOAL_CALLBACK = "goal_modal"
GOAL_KIND_BLOCK = "goal_kind"
GOAL_KIND_ACTION = "kind"
GOAL_TARGET_BLOCK = "goal_target"
GOAL_TARGET_ACTION = "target"

# Data rights
FORGET_CALLBACK = "forget_me_modal"

# Introductions (/intro)
INTRO_MET_ACTION = "intro_we_met"

# Mentoring (/mentor): buttons carry the match (or cycle, or mentor) id as their value
MENTOR_PROFILE_CALLBACK = "mentor_profile_modal"
MENTOR_PROGRAMME_CALLBACK = "mentor_programme_modal"
MENTOR_DECLINE_CALLBACK = "mentor_decline_modal"
MENTOR_END_CALLBACK = "mentor_end_modal"
MENTOR_BLOCK_PREFIX = "mentor_"  # modal inputs: block mentor_<field>, action <field> (the engine's FieldError.field)
MENTOR_REQUEST_ACTION = "mentor_request_intro"
MENTOR_ANOTHER_ACTION = "mentor_show_another"
MENTOR_NOT_NOW_ACTION = "mentor_not_now"
MENTOR_DRAFT_ACTION = "mentor_draft_ask"
MENTOR_FIND_REQUEST_ACTION = "mentor_find_request"  # + "_<row>": action ids are unique within a message
MENTOR_ACCEPT_ACTION = "mentor_accept"
MENTOR_DECLINE_ACTION = "mentor_decline"
MENTOR_PUBLISH_ACTION = "mentor_publish"
MENTOR_DROP_ACTION = "mentor_drop"
MENTOR_YES_ACTION = "mentor_still_meeting"
MENTOR_PAUSE_ACTION = "mentor_pause"
MENTOR_END_ACTION = "mentor_end"
MENTOR_MET_ACTION = "mentor_we_met"
