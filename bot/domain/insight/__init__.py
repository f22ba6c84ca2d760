"""Insight: goals, periods, reach and follow-through — pure rules over aggregates storage computes.

Storage answers with counts (indexed ``GROUP BY`` queries, never a scan of someone's whole log); these functions
turn counts into progress, streaks and plain sentences. Periods are the person's own: a month starts at local
midnight on the 1st in their Slack time zone.
"""
