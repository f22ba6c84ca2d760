"""Mentoring storage, by what it stores: profiles (with the skill list and programme settings), matches (with their
cycles) and the leased jobs."""

from __future__ import annotations

from storage.repositories.mentoring.jobs import SqlMentorJobRepository
from storage.repositories.mentoring.matches import SqlMentorMatchRepository
from storage.repositories.mentoring.profiles import SqlMentorProfileRepository

__all__ = ["SqlMentorJobRepository", "SqlMentorMatchRepository", "SqlMentorProfileRepository"]
