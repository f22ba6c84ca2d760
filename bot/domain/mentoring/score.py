"""The score of a mentee–mentor pair: named terms, weighted by a named preset, and a one-line "why".

score(mentee, mentor) = w.skills     * skills       # sum of SKILL_RANK_POINTS[rank] over the mentee's wished
                                                     #   skills the mentor teaches (rank 0 = their top priority)
                      + w.goals      * goals        # shared goal keywords and tags, 3 or more = 1000
                      + w.experience * experience   # the mentor's extra years: 0 at 0, 1000 from 2 to 12, 500 from 20
                      + w.cross_team * cross_team   # different teams: 500 per side that prefers another team
                      + w.time       * time         # shared working minutes per day, 4 h or more = 1000
Every term is a whole number of points (0..1000, skills 0..~2500) and every weight a small integer, so scores are
exact integers: sums are exact in any order, the assignment's optimum is a number tests can compare with ==, and
ties are real ties. A pair is **ineligible** (score -1) when the mentor teaches none of the mentee's wished skills,
whatever else fits (so an empty profile can never win), and when a hard rule forbids it: the same person, a pair
the caller excludes (already matched, declined or ended before, an avoid list in either direction), same team when
either side said same team is not OK, or offsets more than an hour apart when either side said other time zones are
not OK.

`ScoreModel` computes blocks of scores with numpy (the cycle scores every pair, 134 million at 20,000 × 6,700);
`pair_terms` (and `score_pair`, `explain`) compute the terms pair by pair; `block` gets the same numbers from tables
built by the same term functions over the distinct facts (working window and zone, years, team preferences), and a
property test holds the two equal, so the "why" and the solver cannot disagree.

Decisions:
- **Presets, not raw numbers.** Admins pick "balanced", "skills first", "cross-team" or "time zones"; the weights
  behind them live here. Skills weigh 4-10 against 1-4 for the other terms, so the mentee's priorities lead.
- **Unnormalised skill points.** A mentee whose top two wishes are both covered scores more than one whose only
  wish is; dividing by the number of wishes would favour narrow profiles.
- **Working-hours overlap is the coffee matcher's** (`matching.weights._overlap`, circular day windows), not a copy;
  it is private there because this change only adds files — it deserves a public name.
- Keyword texts are reduced to `[a-z0-9+#-]` words, so the "why" holds no markup from anyone's free text; skill
  names come from the admin-curated list and are rendered by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import sparse

from bot.domain.matching.model import DEFAULT_WORK_END, DEFAULT_WORK_START, MINUTES_PER_DAY, Member
from bot.domain.matching.weights import _overlap
from bot.domain.mentoring.profile import MentoringProfile

INELIGIBLE = -1
SENTINEL = -(2**28)  # a table entry that makes any block score negative: a hard rule forbids the pair
FULL = 1000
# Points of the mentee's k-th wish when the mentor teaches it: 1000 * 0.6^k, at least 1 so every overlap counts.
SKILL_RANK_POINTS = tuple(max(1, round(FULL * 0.6**k)) for k in range(32))
FULL_OVERLAP_MINUTES = 4 * 60
NEAR_ZONE_MINUTES = 60
GOAL_KEYWORDS_FOR_FULL = 3
DENSE_KEYWORDS = 512
GOAL_POINTS = np.array([k * FULL // GOAL_KEYWORDS_FOR_FULL for k in range(GOAL_KEYWORDS_FOR_FULL + 1)])
# The mentor's extra years -> points: 0 at 0 (or fewer), full from 2 to 12, half from 20 on.
EXPERIENCE_YEARS = (0.0, 2.0, 12.0, 20.0)
EXPERIENCE_POINTS = (0.0, float(FULL), float(FULL), float(FULL // 2))

_WORD = re.compile(r"[a-z0-9][a-z0-9+#-]*")
_STOPWORDS = frozenset(
    (
        *("about", "after", "also", "and", "any", "are", "better", "but", "can", "could", "for", "from", "get"),
        *("have", "how", "into", "just", "learn", "like", "more", "most", "want", "need", "not", "our", "out"),
        *("over", "some", "than", "that", "the", "their", "them", "then", "there", "this", "understand", "use"),
        *("using", "very", "was", "way", "what", "when", "where", "which", "who", "will", "with", "work"),
        *("would", "year", "years", "you", "your"),
    )
)


class Preset(StrEnum):
    """The weightings a programme can choose from, by name."""

    BALANCED = "balanced"
    SKILLS_FIRST = "skills first"
    CROSS_TEAM = "cross-team"
    TIME_ZONES = "time zones"


@dataclass(frozen=True, slots=True)
class Weights:
    """Integer weight per term (see the module docstring)."""

    skills: int
    goals: int
    experience: int
    cross_team: int
    time: int


PRESETS: Mapping[Preset, Weights] = {
    Preset.BALANCED: Weights(skills=4, goals=1, experience=1, cross_team=1, time=1),
    Preset.SKILLS_FIRST: Weights(skills=10, goals=1, experience=1, cross_team=1, time=1),
    Preset.CROSS_TEAM: Weights(skills=4, goals=1, experience=1, cross_team=4, time=1),
    Preset.TIME_ZONES: Weights(skills=4, goals=1, experience=1, cross_team=1, time=4),
}


@dataclass(frozen=True, slots=True)
class Participant:
    """A profile plus what Rapport already knows: team, UTC offset at cycle time, local working hours."""

    profile: MentoringProfile
    team: str = ""
    tz_offset_minutes: int = 0
    work_start_minutes: int = DEFAULT_WORK_START
    work_end_minutes: int = DEFAULT_WORK_END

    @property
    def user_id(self) -> str:
        """The person's Slack id."""
        return self.profile.user_id

    @property
    def window_utc(self) -> tuple[int, int]:
        """Working window as (start minute of the UTC day, length), as the coffee matcher computes it."""
        member = Member(self.user_id, self.team, self.tz_offset_minutes, self.work_start_minutes, self.work_end_minutes)
        return member.window_utc


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Pairs the cycle must not suggest: (mentee, mentor) already matched, declined or ended; unordered avoids."""

    pairs: frozenset[tuple[str, str]] = frozenset()
    avoid: frozenset[frozenset[str]] = frozenset()

    def forbids(self, mentee: str, mentor: str) -> bool:
        """Whether the caller's history forbids this pair (self and preferences are checked by the model)."""
        return (mentee, mentor) in self.pairs or frozenset((mentee, mentor)) in self.avoid


@dataclass(frozen=True, slots=True)
class PairScore:
    """One pair's score with its terms (points before weighting) and what the "why" needs."""

    mentee: str
    mentor: str
    score: int
    skills: int
    goals: int
    experience: int
    cross_team: int
    time: int
    covered: tuple[tuple[int, str], ...]  # (rank in the mentee's wishes, skill) the mentor teaches
    shared_keywords: tuple[str, ...]
    overlap_minutes: int
    different_team: bool
    extra_years: float | None

    @property
    def eligible(self) -> bool:
        """Whether the pair may be suggested at all."""
        return self.score > INELIGIBLE


NO_EXCLUSIONS = Exclusions()


def keywords(profile: MentoringProfile) -> frozenset[str]:
    """Goal keywords and tag words of a profile: lower-case words of 3+ characters, minus common words."""
    text = " ".join((profile.goals, *profile.tags)).casefold()
    return frozenset(w for w in _WORD.findall(text) if len(w) >= 3 and w not in _STOPWORDS)


def _index(values: Iterable[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for value in values:
        index.setdefault(value, len(index))
    return index


class ScoreModel:
    """Vectorised scores of mentees (rows) against mentors (columns), with the exclusions applied."""

    def __init__(
        self,
        mentees: Sequence[Participant],
        mentors: Sequence[Participant],
        weights: Weights,
        exclusions: Exclusions | None = None,
    ) -> None:
        self.mentees, self.mentors, self.weights = tuple(mentees), tuple(mentors), weights
        skill_index = _index(s for p in (*mentees, *mentors) for s in (*p.profile.learns, *p.profile.teaches))
        n, m, s = len(mentees), len(mentors), max(1, len(skill_index))
        self.learn_points = np.zeros((n, s))
        for i, p in enumerate(mentees):
            for rank, skill in enumerate(p.profile.learns):
                self.learn_points[i, skill_index[skill]] = SKILL_RANK_POINTS[min(rank, len(SKILL_RANK_POINTS) - 1)]
        self.teach = np.zeros((m, s))
        for j, p in enumerate(mentors):
            self.teach[j, [skill_index[x] for x in p.profile.teaches]] = 1.0
        self._keywords(mentees, mentors)
        self.team_e, self.team_m = self._teams(mentees, mentors)
        self.years_e = np.array([_years(p) for p in mentees], dtype=float)
        self.years_m = np.array([_years(p) for p in mentors], dtype=float)
        self.win_e = np.array([p.window_utc for p in mentees], dtype=np.int64).reshape(n, 2)
        self.win_m = np.array([p.window_utc for p in mentors], dtype=np.int64).reshape(m, 2)
        self.offset_e = np.array([p.tz_offset_minutes for p in mentees], dtype=np.int64)
        self.offset_m = np.array([p.tz_offset_minutes for p in mentors], dtype=np.int64)
        self.prefs_e = np.array([_prefs(p) for p in mentees], dtype=bool).reshape(n, 3)
        self.prefs_m = np.array([_prefs(p) for p in mentors], dtype=bool).reshape(m, 3)
        self.excluded = self._exclusions(exclusions or NO_EXCLUSIONS)
        self._tables()

    def _keywords(self, mentees: Sequence[Participant], mentors: Sequence[Participant]) -> None:
        words_e = [sorted(keywords(p.profile)) for p in mentees]
        words_m = [sorted(keywords(p.profile)) for p in mentors]
        vocabulary = _index(w for words in (*words_e, *words_m) for w in words)
        self.keywords_e = _incidence(words_e, vocabulary)
        self.keywords_m = _incidence(words_m, vocabulary)
        self.keywords_m_t = self.keywords_m.T.tocsc()
        # Blocks count shared keywords by a dense product over the words both sides use, when they are few
        # (a BLAS product of small integers is exact and ~8x faster than the sparse one); else sparsely.
        common = np.flatnonzero(
            np.asarray(self.keywords_e.sum(axis=0)).ravel() * np.asarray(self.keywords_m.sum(axis=0)).ravel() > 0
        )
        self.dense_keywords: tuple[np.ndarray, np.ndarray] | None = None
        if len(common) <= DENSE_KEYWORDS:
            self.dense_keywords = (
                self.keywords_e[:, common].toarray().astype(np.float32),
                self.keywords_m[:, common].toarray().astype(np.float32).T.copy(),
            )

    @staticmethod
    def _teams(mentees: Sequence[Participant], mentors: Sequence[Participant]) -> tuple[np.ndarray, np.ndarray]:
        teams = _index(p.team for p in (*mentees, *mentors))
        return (
            np.array([teams[p.team] for p in mentees], dtype=np.int64),
            np.array([teams[p.team] for p in mentors], dtype=np.int64),
        )

    def _exclusions(self, exclusions: Exclusions) -> sparse.csr_matrix:
        """Excluded (mentee, mentor) index pairs as a sparse boolean matrix: self plus the caller's pairs."""
        mentor_at = {p.user_id: j for j, p in enumerate(self.mentors)}
        mentee_at = {p.user_id: i for i, p in enumerate(self.mentees)}
        pairs = {(i, mentor_at[p.user_id]) for i, p in enumerate(self.mentees) if p.user_id in mentor_at}
        pairs |= {(mentee_at[a], mentor_at[b]) for a, b in exclusions.pairs if a in mentee_at and b in mentor_at}
        for pair in exclusions.avoid:
            if len(pair) == 2:
                a, b = sorted(pair)
                pairs |= {
                    (mentee_at[x], mentor_at[y]) for x, y in ((a, b), (b, a)) if x in mentee_at and y in mentor_at
                }
        rows = np.array([p[0] for p in pairs], dtype=np.int64)
        cols = np.array([p[1] for p in pairs], dtype=np.int64)
        shape = (len(self.mentees), len(self.mentors))
        return sparse.csr_matrix((np.ones(len(pairs), dtype=bool), (rows, cols)), shape=shape)

    @property
    def shape(self) -> tuple[int, int]:
        """(mentees, mentors)."""
        return len(self.mentees), len(self.mentors)

    def _terms(self, r: np.ndarray, c: np.ndarray, skills: np.ndarray, shared: np.ndarray) -> dict[str, np.ndarray]:
        """Every term for the pairs (r[k], c[k]) of mentee and mentor indices; `skills` and `shared` (keyword
        count) come from the caller. Pair by pair: the block path gets the same numbers from tables."""
        gap, experience = _experience_points(self.years_e[r], self.years_m[c])
        minutes, time = _time_points(self.win_e[r], self.win_m[c])
        different = self.team_e[r] != self.team_m[c]
        prefs_e, prefs_m = self.prefs_e[r], self.prefs_m[c]
        zones_ok = _zones_ok(self.offset_e[r], prefs_e[..., 2], self.offset_m[c], prefs_m[..., 2])
        team_ok = different | (prefs_e[..., 1] & prefs_m[..., 1])
        return {
            "skills": skills,
            "goals": GOAL_POINTS[np.minimum(shared, GOAL_KEYWORDS_FOR_FULL)],
            "experience": experience,
            "cross_team": _cross_points(different, prefs_e[..., 0], prefs_m[..., 0]),
            "time": time,
            "overlap_minutes": minutes,
            "different_team": different,
            "gap": gap,
            "allowed": (skills > 0) & team_ok & zones_ok,
        }

    def _tables(self) -> None:
        """Weighted points of the terms that depend on a few per-person facts, as tables over the distinct facts
        (keys per person), so a block costs a few gathers; SENTINEL where a hard rule forbids the pair."""
        w = self.weights
        # Working window, UTC offset and "other zones OK" decide the time term and the zone rule.
        facts_e = np.column_stack((self.win_e, self.offset_e, self.prefs_e[:, 2])).reshape(-1, 4)
        facts_m = np.column_stack((self.win_m, self.offset_m, self.prefs_m[:, 2])).reshape(-1, 4)
        (ue, self.time_key_e), (um, self.time_key_m) = _distinct(facts_e), _distinct(facts_m)
        a, b = ue[:, None], um[None, :]
        _, time = _time_points(a[..., :2], b[..., :2])
        ok = _zones_ok(a[..., 2], a[..., 3].astype(bool), b[..., 2], b[..., 3].astype(bool))
        self.time_table = np.where(ok, w.time * time, SENTINEL).astype(np.int32)
        # Years (NaN when unknown) decide the experience term.
        (ye, self.years_key_e), (ym, self.years_key_m) = _distinct(self.years_e), _distinct(self.years_m)
        self.years_table = (w.experience * _experience_points(ye[:, None], ym[None, :])[1]).astype(np.int32)
        # "Prefer another team" and "same team OK" decide the cross-team term and the same-team rule.
        (pe, self.team_key_e), (pm, self.team_key_m) = _distinct(self.prefs_e[:, :2]), _distinct(self.prefs_m[:, :2])
        a, b = pe[:, None].astype(bool), pm[None, :].astype(bool)
        self.other_team_table = (w.cross_team * _cross_points(np.True_, a[..., 0], b[..., 0])).astype(np.int32)
        self.same_team_table = np.where(a[..., 1] & b[..., 1], 0, SENTINEL).astype(np.int32)

    def block(self, rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        """Scores (int64) of rows × cols; INELIGIBLE where no skill is shared or a hard rule forbids the pair."""
        return self.block32(rows, cols).astype(np.int64)

    def _shared_keywords(self, rows: np.ndarray, picked: np.ndarray) -> np.ndarray:
        if self.dense_keywords is not None:
            mentee_words, mentor_words = self.dense_keywords
            return (mentee_words[rows] @ mentor_words[:, picked]).astype(np.int32)
        return (self.keywords_e[rows] @ self.keywords_m_t[:, picked]).toarray()

    def block32(self, rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        """`block` as int32 (scores stay far below 2^31), which halves the memory the solver's passes read."""
        w = self.weights
        picked = np.arange(len(self.mentors)) if cols is None else cols
        skills = (self.learn_points[rows] @ self.teach[picked].T).astype(np.int32)
        shared = self._shared_keywords(rows, picked)
        score = w.skills * skills
        score += w.goals * GOAL_POINTS.astype(np.int32)[np.minimum(shared, GOAL_KEYWORDS_FOR_FULL)]
        score += np.take(self.time_table[self.time_key_e[rows]], self.time_key_m[picked], axis=1)
        score += np.take(self.years_table[self.years_key_e[rows]], self.years_key_m[picked], axis=1)
        different = self.team_e[rows][:, None] != self.team_m[picked][None, :]
        other = np.take(self.other_team_table[self.team_key_e[rows]], self.team_key_m[picked], axis=1)
        same = np.take(self.same_team_table[self.team_key_e[rows]], self.team_key_m[picked], axis=1)
        score += np.where(different, other, same)
        allowed = (skills > 0) & (score >= 0)
        excluded = self.excluded[rows]
        excluded = (excluded if cols is None else excluded[:, cols]).tocoo()
        allowed[excluded.row, excluded.col] = False
        return np.where(allowed, score, INELIGIBLE)

    def shares_skill(self, rows: np.ndarray) -> np.ndarray:
        """Whether each mentor teaches any of each row's wished skills (rows × all mentors), rules aside."""
        return (self.learn_points[rows] @ self.teach.T) > 0

    def terms(self, rows: np.ndarray, cols: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Each term's points for the block rows × cols (all mentors when cols is None) and the raw facts, pair
        by pair (slower than `block`; for explanations and tests)."""
        picked = np.arange(len(self.mentors)) if cols is None else cols
        r = np.repeat(rows, len(picked))
        c = np.tile(picked, len(rows))
        t = self.pair_terms(r, c)
        return {name: value.reshape(len(rows), len(picked)) for name, value in t.items()}

    def pair_terms(self, rows: np.ndarray, cols: np.ndarray) -> dict[str, np.ndarray]:
        """Each term for the pairs (rows[k], cols[k]), plus `score` (equal to `block`'s, tests check it)."""
        skills = np.rint((self.learn_points[rows] * self.teach[cols]).sum(axis=1)).astype(np.int64)
        shared = np.asarray(self.keywords_e[rows].multiply(self.keywords_m[cols]).sum(axis=1)).ravel()
        t = self._terms(rows, cols, skills, shared.astype(np.int64))
        if len(rows):
            t["allowed"] &= ~np.asarray(self.excluded[rows, cols], dtype=bool).ravel()
        w = self.weights
        score = (
            w.skills * t["skills"]
            + w.goals * t["goals"]
            + w.experience * t["experience"]
            + w.cross_team * t["cross_team"]
            + w.time * t["time"]
        )
        t["score"] = np.where(t["allowed"], score, INELIGIBLE)
        return t

    def max_score(self) -> int:
        """An upper bound on any pair's score (every term full, every wish covered)."""
        w = self.weights
        return int(w.skills * sum(SKILL_RANK_POINTS) + (w.goals + w.experience + w.cross_team + w.time) * FULL)

    def pairs(self, rows: Sequence[int], cols: Sequence[int]) -> list[PairScore]:
        """The scores of the pairs (rows[k], cols[k]) with their terms and the facts behind them."""
        t = self.pair_terms(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))
        out = []
        for k, (i, j) in enumerate(zip(rows, cols, strict=True)):
            mentee, mentor = self.mentees[i].profile, self.mentors[j].profile
            gap = float(t["gap"][k])
            out.append(
                PairScore(
                    mentee=mentee.user_id,
                    mentor=mentor.user_id,
                    score=int(t["score"][k]),
                    **{name: int(t[name][k]) for name in ("skills", "goals", "experience", "cross_team", "time")},
                    covered=tuple((r, s) for r, s in enumerate(mentee.learns) if s in mentor.teaches),
                    shared_keywords=tuple(sorted(keywords(mentee) & keywords(mentor))),
                    overlap_minutes=int(t["overlap_minutes"][k]),
                    different_team=bool(t["different_team"][k]),
                    extra_years=None if np.isnan(gap) else gap,
                )
            )
        return out

    def pair(self, i: int, j: int) -> PairScore:
        """The score of mentee i with mentor j, with its terms and the facts behind them."""
        return self.pairs([i], [j])[0]


def _distinct(facts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows (or values) of `facts` and each person's index into them."""
    if len(facts) == 0:
        return facts, np.zeros(0, dtype=np.int64)
    values, key = np.unique(facts, axis=0, return_inverse=True)
    return values, key.reshape(-1)


def _time_points(window_e: np.ndarray, window_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shared working minutes per day of (start, length) UTC windows, and the time term's points."""
    minutes = _overlap(window_e[..., 0], window_e[..., 1], window_m[..., 0], window_m[..., 1])
    return minutes, np.minimum(minutes * FULL // FULL_OVERLAP_MINUTES, FULL)


def _experience_points(years_e: np.ndarray, years_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mentor's extra years (NaN when either is unknown) and the experience term's points."""
    gap = years_m - years_e
    points = np.where(np.isnan(gap), 0, np.rint(np.interp(gap, EXPERIENCE_YEARS, EXPERIENCE_POINTS)))
    return gap, points.astype(np.int64)


def _zones_ok(offset_e: np.ndarray, ok_e: np.ndarray, offset_m: np.ndarray, ok_m: np.ndarray) -> np.ndarray:
    """The zone rule: both say other time zones are OK, or their offsets are within an hour."""
    distance = np.abs(offset_e - offset_m) % MINUTES_PER_DAY
    return (ok_e & ok_m) | (np.minimum(distance, MINUTES_PER_DAY - distance) <= NEAR_ZONE_MINUTES)


def _cross_points(different: np.ndarray | np.bool_, prefer_e: np.ndarray, prefer_m: np.ndarray) -> np.ndarray:
    """Different teams: half the term for each side that prefers another team."""
    return different * (prefer_e.astype(np.int64) + prefer_m) * (FULL // 2)


def _years(p: Participant) -> float:
    years = p.profile.experience.years_equivalent
    return np.nan if years is None else years


def _prefs(p: Participant) -> tuple[bool, bool, bool]:
    prefs = p.profile.preferences
    return prefs.prefer_other_team, prefs.same_team_ok, prefs.other_zones_ok


def _incidence(rows: Sequence[Sequence[str]], vocabulary: Mapping[str, int]) -> sparse.csr_matrix:
    """A 0/1 matrix: one row per list of words, one column per vocabulary word."""
    indptr = np.cumsum([0, *(len(r) for r in rows)])
    indices = np.array([vocabulary[w] for r in rows for w in r], dtype=np.int64)
    data = np.ones(len(indices), dtype=np.int64)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), max(1, len(vocabulary))))


def score_pair(
    mentee: Participant, mentor: Participant, preset: Preset, exclusions: Exclusions = Exclusions()
) -> PairScore:
    """One pair's score and terms (the formulas the cycle's blocks are tabulated from)."""
    return ScoreModel([mentee], [mentor], PRESETS[preset], exclusions).pair(0, 0)


_COUNT_WORDS = ("", "one", "two", "three", "four", "five")


def _ranks_text(ranks: Sequence[int]) -> str:
    """How the covered wishes rank for the mentee: "your top pick", "your top two", "your #2 and #4"."""
    if list(ranks) == list(range(len(ranks))):
        return "your top pick" if len(ranks) == 1 else f"your top {_COUNT_WORDS[min(len(ranks), 5)] or len(ranks)}"
    return "your " + _and([f"#{r + 1}" for r in ranks])


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def explain(pair: PairScore) -> str:
    """A one-line reason from the pair's terms, e.g. "teaches *a* and *b*, your top two; 4 working hours overlap"."""
    if not pair.covered:
        return "no skill in common"
    shown = pair.covered[:3]
    parts = [f"teaches {_and([f'*{skill}*' for _, skill in shown])}, {_ranks_text([r for r, _ in shown])}"]
    hours = pair.overlap_minutes // 60
    if hours:
        parts.append(f"{hours} working hour{'s' if hours != 1 else ''} overlap")
    else:
        parts.append("under an hour of shared working time" if pair.overlap_minutes else "no shared working hours")
    parts.append("different team" if pair.different_team else "same team")
    if pair.shared_keywords:
        parts.append("shared goals: " + ", ".join(pair.shared_keywords[:3]))
    if pair.extra_years is not None and pair.extra_years >= 1:
        parts.append(f"{pair.extra_years:g} more years of experience")
    return "; ".join(parts)
