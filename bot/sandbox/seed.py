"""The seeded workspace the fake Slack starts with: people, teams, time zones and channels (deterministic)."""

from __future__ import annotations

from dataclasses import dataclass, field

TEAM_ID = "T0RAPPORT1"
BOT_ID = "B0RAPPORT1"
APP_ID = "A0RAPPORT1"


@dataclass(frozen=True)
class SeedUser:
    """A member of the seeded workspace; `handle` is the short lowercase name tests use (`fake.user("maya")`)."""

    handle: str
    id: str
    real_name: str
    title: str = ""
    department: str = ""
    tz: str = "UTC"
    display_name: str = ""
    email: str = ""
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    bot_id: str = ""


@dataclass(frozen=True)
class SeedChannel:
    """A channel of the seeded workspace; `members` are user ids."""

    id: str
    name: str
    is_private: bool = False
    is_general: bool = False
    members: tuple[str, ...] = ()
    topic: str = ""
    purpose: str = ""


@dataclass(frozen=True)
class WorkspaceSeed:
    """Everything the fake Slack starts with."""

    team_id: str
    team_name: str
    domain: str
    bot_handle: str
    users: tuple[SeedUser, ...]
    channels: tuple[SeedChannel, ...] = field(default_factory=tuple)

    def user(self, handle: str) -> SeedUser:
        """The seeded user with this handle (KeyError if unknown)."""
        for user in self.users:
            if user.handle == handle:
                return user
        raise KeyError(handle)

    def channel(self, name: str) -> SeedChannel:
        """The seeded channel with this name, without '#' (KeyError if unknown)."""
        for channel in self.channels:
            if channel.name == name.lstrip("#"):
                return channel
        raise KeyError(name)

    @property
    def bot(self) -> SeedUser:
        """The Rapport bot user."""
        return self.user(self.bot_handle)


# handle, real name, title, department, tz
_PEOPLE: tuple[tuple[str, str, str, str, str], ...] = (
    ("maya", "Maya Chen", "Staff Engineer", "Engineering", "America/Los_Angeles"),
    ("lee", "Lee Park", "Engineering Manager", "Engineering", "America/New_York"),
    ("arjun", "Arjun Mehta", "Backend Engineer", "Engineering", "Asia/Kolkata"),
    ("sofia", "Sofia Rossi", "Frontend Engineer", "Engineering", "Europe/Berlin"),
    ("kenji", "Kenji Tanaka", "Site Reliability Engineer", "Engineering", "Asia/Tokyo"),
    ("olivia", "Olivia Brown", "Software Engineer", "Engineering", "Australia/Sydney"),
    ("ben", "Ben Carter", "Engineering Intern", "Engineering", "America/Los_Angeles"),
    ("nora", "Nora Lindqvist", "Product Designer", "Design", "Europe/Berlin"),
    ("theo", "Theo Martin", "Design Lead", "Design", "Europe/London"),
    ("aisha", "Aisha Khan", "UX Researcher", "Design", "Europe/London"),
    ("carlos", "Carlos Diaz", "Account Executive", "Sales", "America/New_York"),
    ("hannah", "Hannah Weber", "Sales Director", "Sales", "Europe/Berlin"),
    ("raj", "Raj Patel", "Sales Development Rep", "Sales", "Asia/Kolkata"),
    ("emma", "Emma Wilson", "Account Executive", "Sales", "Australia/Sydney"),
    ("jack", "Jack O'Neil", "Sales Engineer", "Sales", "America/Chicago"),
    ("zoe", "Zoe Adams", "Content Lead", "Marketing", "America/New_York"),
    ("luca", "Luca Bianchi", "Growth Marketer", "Marketing", "Europe/London"),
    ("yuki", "Yuki Sato", "Product Marketing Manager", "Marketing", "Asia/Tokyo"),
    ("priya", "Priya Sharma", "Marketing Operations", "Marketing", "Asia/Kolkata"),
    ("grace", "Grace Okafor", "Head of People", "People", "Europe/London"),
    ("sam", "Sam Rivera", "Recruiter", "People", "America/Los_Angeles"),
    ("mia", "Mia Schmidt", "People Partner", "People", "Europe/Berlin"),
    ("david", "David Cohen", "Chief Financial Officer", "Finance", "America/New_York"),
    ("lina", "Lina Haddad", "Accountant", "Finance", "Europe/London"),
    ("tom", "Tom Nguyen", "FP&A Analyst", "Finance", "Australia/Sydney"),
    ("ivy", "Ivy Zhang", "Product Manager", "Product", "America/Los_Angeles"),
    ("omar", "Omar Farouk", "Senior Product Manager", "Product", "Europe/London"),
)
_DEACTIVATED: tuple[tuple[str, str, str, str, str], ...] = (
    ("pat", "Pat Morgan", "Backend Engineer", "Engineering", "America/New_York"),
    ("alex", "Alex Kim", "Account Executive", "Sales", "Europe/London"),
)


def _user_id(number: int) -> str:
    return f"U0RPT{number:05d}"


def default_workspace() -> WorkspaceSeed:
    """The standard sandbox workspace: 27 active people in 7 teams and 8 time zones, 2 deactivated, 2 bots."""
    users: list[SeedUser] = []
    for number, (handle, real_name, title, department, tz) in enumerate(_PEOPLE + _DEACTIVATED, start=1):
        users.append(
            SeedUser(
                handle=handle,
                id=_user_id(number),
                real_name=real_name,
                title=title,
                department=department,
                tz=tz,
                display_name=handle,
                email=f"{handle}@rapport.example",
                deleted=any(handle == entry[0] for entry in _DEACTIVATED),
                is_admin=handle in {"grace", "lee"},
            )
        )
    users.append(
        SeedUser(
            handle="rapport",
            id="U0RAPPORTB",
            real_name="Rapport",
            display_name="rapport",
            is_bot=True,
            bot_id=BOT_ID,
        )
    )
    users.append(
        SeedUser(
            handle="polly",
            id="U0POLLYB01",
            real_name="Polly",
            display_name="polly",
            is_bot=True,
            bot_id="B0POLLYB01",
        )
    )
    by_handle = {user.handle: user.id for user in users}
    active_people = [user.id for user in users if not user.is_bot and not user.deleted]

    def ids(*handles: str) -> tuple[str, ...]:
        return tuple(by_handle[handle] for handle in handles)

    channels = (
        SeedChannel(
            id="C0RPTGENRL",
            name="general",
            is_general=True,
            members=(*active_people, by_handle["rapport"], by_handle["polly"]),
            purpose="Company-wide announcements",
        ),
        SeedChannel(
            id="C0RPTCOFFE",
            name="coffee",
            members=(
                *ids("maya", "lee", "arjun", "sofia", "nora", "theo", "carlos", "zoe", "grace", "david", "ivy", "omar"),
                *ids("kenji", "emma", "rapport"),
            ),
            purpose="Random coffee pairings",
        ),
        SeedChannel(
            id="C0RPTRANDM",
            name="random",
            members=(
                *ids("maya", "lee", "ben", "aisha", "raj", "luca", "yuki", "sam", "tom", "jack"),
                by_handle["polly"],
            ),
            purpose="Non-work banter",
        ),
        SeedChannel(
            id="C0RPTLEADS",
            name="leadership",
            is_private=True,
            members=ids("lee", "theo", "hannah", "grace", "david", "omar"),
            purpose="Leads only",
        ),
    )
    return WorkspaceSeed(
        team_id=TEAM_ID,
        team_name="Rapport Sandbox",
        domain="rapport-sandbox",
        bot_handle="rapport",
        users=tuple(users),
        channels=channels,
    )
