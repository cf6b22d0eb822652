"""Import of the school administration's export: pupils with up to two guardians, and staff.

The import runs in two steps. `import_plan` reads the files and compares them with the
database; it writes nothing and returns either a list of problems (in Dutch, with line
numbers) or the changes it would make. `import_apply` makes exactly those changes in one
transaction, so a file is imported completely or not at all.

Matching rules: pupils by Leerlingnummer; guardians by e-mail address, or, where the export
has none, by name and address (postcode + huisnummer). A guardian who appears for several
children becomes one parent. Pupils missing from a new export have left the school: they
lose their group and get a leave date (the retention command removes them later).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from lib.csvread import CsvError, Row, read_rows
from schools.models import (
    Group,
    Guardianship,
    ImportBatch,
    ImportChange,
    Parent,
    ParentBaseline,
    ParentTombstone,
    Pupil,
    PupilBaseline,
    School,
    StaffMember,
    join_name,
)
from schools.tombstones import identity_digests, tombstone_index

PUPIL_REQUIRED = ["leerlingnummer", "roepnaam", "achternaam", "groep"]
GUARDIAN_FIELDS = {
    "relation": "relatie",
    "first_name": "voornaam",
    "infix": "tussenvoegsel",
    "last_name": "achternaam",
    "email": "e-mail",
    "phone": "telefoon",
    "street": "straat",
    "house_number": "huisnummer",
    "postcode": "postcode",
    "city": "plaats",
}
PARENT_DATA_FIELDS = [f for f in GUARDIAN_FIELDS if f != "relation"]
STAFF_REQUIRED = ["voornaam", "achternaam", "e-mail", "rol"]
ROLES = {
    "leerkracht": StaffMember.Role.TEACHER,
    "directie": StaffMember.Role.DIRECTOR,
    "directeur": StaffMember.Role.DIRECTOR,
    "beheerder": StaffMember.Role.ADMINISTRATOR,
}
RELATIONS = {"moeder": "moeder", "vader": "vader", "verzorger": "verzorger"}
YES = {"ja", "j", "yes", "y", "1", "true", "waar", "x"}
NO = {"nee", "n", "no", "0", "false", "onwaar", ""}
POSTCODE_RE = re.compile(r"^(\d{4})\s*([a-zA-Z]{2})$")
# The school's words for the parent fields, as the preview shows them.
FIELD_LABELS = {
    "first_name": "voornaam",
    "infix": "tussenvoegsel",
    "last_name": "achternaam",
    "email": "e-mail",
    "phone": "telefoon",
    "street": "straat",
    "house_number": "huisnummer",
    "postcode": "postcode",
    "city": "plaats",
}
# A "?" touching a letter, or U+FFFD: what an export that could not write a letter leaves.
DAMAGED_RE = re.compile(r"\ufffd|(?<=[^\W\d_])\?|\?(?=[^\W\d_])")
UTF8_ADVICE = (
    "Sla de export in de leerlingadministratie of in Excel op als UTF-8 (in Excel: 'CSV UTF-8 "
    "(gescheiden door komma's)') en lees het bestand opnieuw in; dan blijven letters als ş, ı "
    "en ł bewaard."
)


def has_control_character(value: str) -> bool:
    """Line breaks (CR, LF, U+2028, ...) and other control characters: they break mail headers
    and never belong in a name, address or e-mail address."""
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value)


def looks_damaged(value: str) -> bool:
    """A letter lost in an export: "Y?lmaz", "?ahin", "Y\ufffdlmaz", or UTF-8 read as
    Windows-1252 ("NoÃ«lle")."""
    if DAMAGED_RE.search(value):
        return True
    if value.isascii():
        return False
    try:
        return value.encode("cp1252").decode("utf-8") != value
    except UnicodeError:
        return False


class ImportProblems(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class GuardianRow:
    relation: str
    first_name: str
    infix: str
    last_name: str
    email: str
    phone: str
    street: str
    house_number: str
    postcode: str
    city: str

    @property
    def key(self) -> str:
        return self.email.lower() if self.email else name_address_key(self)

    @property
    def full_name(self) -> str:
        return join_name(self.first_name, self.infix, self.last_name)


@dataclass
class PupilRow:
    line: int
    number: str
    first_name: str
    infix: str
    last_name: str
    group: str
    guardians: list[GuardianRow]

    @property
    def full_name(self) -> str:
        return join_name(self.first_name, self.infix, self.last_name)


@dataclass
class StaffRow:
    line: int
    first_name: str
    infix: str
    last_name: str
    email: str
    role: str
    groups: list[str]
    can_edit_parents: bool


@dataclass
class Conflict:
    """A field both the export and the school changed since the previous import."""

    key: str  # form field name in the preview: "konflikt-…"
    who: str
    label: str
    ocs: str
    export: str
    choice: str = "ocs"  # "ocs" keeps the school's value, "export" takes the file's


@dataclass
class DeletedParent:
    """A guardian in the export whom the school deleted earlier; not created again unless
    the beheerder restores them."""

    key: str
    description: str
    children: list[str]
    restore: bool = False


@dataclass
class MassChange:
    """Why the preview asks for the school's name before an import runs."""

    active: int
    leaving: int
    in_file: int
    known: int

    @property
    def leaving_percent(self) -> int:
        return round(100 * self.leaving / self.active) if self.active else 0


@dataclass
class ImportPlan:
    """What an import would change. Descriptions are Dutch, for the preview page."""

    pupils: list[PupilRow] = field(default_factory=list)
    staff: list[StaffRow] | None = None
    groups_added: list[str] = field(default_factory=list)
    pupils_added: list[str] = field(default_factory=list)
    pupils_changed: list[str] = field(default_factory=list)
    pupils_removed: list[str] = field(default_factory=list)
    parents_added: list[str] = field(default_factory=list)
    parents_changed: list[str] = field(default_factory=list)
    links_added: int = 0
    links_removed: int = 0
    staff_added: list[str] = field(default_factory=list)
    staff_changed: list[str] = field(default_factory=list)
    staff_removed: list[str] = field(default_factory=list)
    # Shown before the changes; they never stop the import.
    warnings: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    encoding_label: str = ""
    # Guardians recognised by another rule than an unchanged e-mail address.
    matches: list[str] = field(default_factory=list)
    # The school's own changes since the previous import, which this import leaves alone.
    kept: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    deleted_parents: list[DeletedParent] = field(default_factory=list)
    mass_change: MassChange | None = None
    # What import_apply executes (internal), and the batch it recorded.
    ops: "_Ops | None" = None
    batch: ImportBatch | None = None

    @property
    def has_changes(self) -> bool:
        return any(
            [
                self.groups_added,
                self.pupils_added,
                self.pupils_changed,
                self.pupils_removed,
                self.parents_added,
                self.parents_changed,
                self.links_added,
                self.links_removed,
                self.staff_added,
                self.staff_changed,
                self.staff_removed,
                self.conflicts,
                any(d.restore for d in self.deleted_parents),
            ]
        )


def name_address_key(person) -> str:
    parts = [
        person.first_name,
        person.last_name,
        person.postcode.replace(" ", ""),
        person.house_number,
    ]
    return "|".join(p.strip().lower() for p in parts)


def normalise_postcode(value: str) -> str:
    match = POSTCODE_RE.match(value.strip())
    return f"{match.group(1)} {match.group(2).upper()}" if match else value.strip()


def _missing_columns(headers: list[str], required: list[str], what: str) -> list[str]:
    missing = [c for c in required if c not in headers]
    if not missing:
        return []
    names = ", ".join(f"'{c}'" for c in missing)
    return [
        f"Het {what}bestand mist de kolom(men) {names}. Controleer of u het juiste bestand "
        f"heeft gekozen (de eerste regel moet de kolomnamen bevatten)."
    ]


def _check_control_characters(row: Row, columns: list[str], prefix: str, problems: list[str]):
    for column in columns:
        if has_control_character(row.get(column)):
            problems.append(
                f"{prefix}: de kolom '{column}' bevat een regelovergang of een ander "
                f"onzichtbaar stuurteken. Dat kan niet in een naam, adres of e-mailadres; "
                f"verwijder het in de leerlingadministratie."
            )


def _check_damage(row: Row, fields: dict[str, str], prefix: str, damaged: list[str]) -> None:
    for column, label in fields.items():
        value = row.get(column)
        if value and looks_damaged(value):
            damaged.append(
                f"{prefix}: '{value}' ({label}) lijkt een beschadigde letter te bevatten."
            )


@dataclass
class Findings:
    """What reading a file found: problems block the import (data would be lost or mixed
    up); warnings do not (the preview shows them); damaged lists names that lost letters."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)


def parse_pupils(text: str) -> tuple[list[PupilRow], Findings]:
    """The pupils of an export and what reading them found."""
    findings = Findings()
    problems, warnings = findings.problems, findings.warnings
    try:
        headers, rows = read_rows(text)
    except CsvError as exc:
        problems.append(str(exc))
        return [], findings
    problems += _missing_columns(headers, PUPIL_REQUIRED, "leerlingen")
    if problems:
        return [], findings
    result: list[PupilRow] = []
    seen: dict[str, Row] = {}
    for row in rows:
        pupil = _parse_pupil(row, findings)
        if pupil is None:
            continue
        if pupil.number in seen:
            first = seen[pupil.number]
            if first.values == row.values:
                warnings.append(
                    f"Regel {row.line} is gelijk aan regel {first.line}; de leerling "
                    f"wordt één keer geïmporteerd."
                )
            else:
                problems.append(
                    f"Regel {row.line}: leerlingnummer {pupil.number} staat ook al op regel "
                    f"{first.line}, met andere gegevens."
                )
            continue
        seen[pupil.number] = row
        result.append(pupil)
    if not result and not problems:
        problems.append("Het leerlingenbestand bevat geen leerlingen.")
    return result, findings


PUPIL_COLUMNS = ["leerlingnummer", "roepnaam", "tussenvoegsel", "achternaam", "groep"]
PUPIL_NAME_LABELS = {
    "roepnaam": "roepnaam van de leerling",
    "tussenvoegsel": "tussenvoegsel van de leerling",
    "achternaam": "achternaam van de leerling",
}


def _parse_pupil(row: Row, findings: Findings) -> PupilRow | None:
    problems, warnings = findings.problems, findings.warnings
    before = len(problems)
    prefix = f"Regel {row.line}"
    _check_control_characters(
        row,
        PUPIL_COLUMNS + [f"ouder{n} {c}" for n in (1, 2) for c in GUARDIAN_FIELDS.values()],
        prefix,
        problems,
    )
    labels = {
        "leerlingnummer": "het leerlingnummer",
        "roepnaam": "de roepnaam",
        "achternaam": "de achternaam",
        "groep": "de groep",
    }
    for column, label in labels.items():
        if not row.get(column):
            problems.append(f"{prefix}: {label} van de leerling ontbreekt.")
    _check_damage(row, PUPIL_NAME_LABELS, prefix, findings.damaged)
    guardians = []
    for n in (1, 2):
        guardian = _parse_guardian(row, n, findings)
        if guardian is not None:
            guardians.append(guardian)
    if len(guardians) == 2 and guardians[0].key == guardians[1].key:
        warnings.append(
            f"{prefix}: ouder 1 en ouder 2 zijn dezelfde persoon; zij worden één ouder."
        )
        guardians = guardians[:1]
    if len(problems) > before:
        return None
    return PupilRow(
        line=row.line,
        number=row.get("leerlingnummer"),
        first_name=row.get("roepnaam"),
        infix=row.get("tussenvoegsel"),
        last_name=row.get("achternaam"),
        group=" ".join(row.get("groep").split()),
        guardians=guardians,
    )


def _parse_guardian(row: Row, n: int, findings: Findings) -> GuardianRow | None:
    problems, warnings = findings.problems, findings.warnings
    values = {attr: row.get(f"ouder{n} {col}") for attr, col in GUARDIAN_FIELDS.items()}
    if not any(values.values()):
        return None
    label = f"ouder {n}"
    prefix = f"Regel {row.line}"
    if not values["first_name"]:
        problems.append(f"{prefix}: de voornaam van {label} ontbreekt.")
    if not values["last_name"]:
        problems.append(f"{prefix}: de achternaam van {label} ontbreekt.")
    _check_damage(
        row,
        {
            f"ouder{n} {GUARDIAN_FIELDS[f]}": f"{FIELD_LABELS[f]} van {label}"
            for f in ("first_name", "infix", "last_name", "street", "city")
        },
        prefix,
        findings.damaged,
    )
    if values["email"] and not _valid_email(values["email"]):
        warnings.append(
            f"{prefix}: het e-mailadres van {label} ('{values['email']}') is ongeldig; "
            f"{label} wordt zonder e-mailadres geïmporteerd."
        )
        values["email"] = ""
    values["email"] = values["email"].lower()
    values["relation"] = RELATIONS.get(values["relation"].lower(), "verzorger")
    values["postcode"] = normalise_postcode(values["postcode"])
    return GuardianRow(**values)


def _valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


STAFF_COLUMNS = ["voornaam", "tussenvoegsel", "achternaam", "e-mail", "rol", "groepen"]


def parse_staff(text: str) -> tuple[list[StaffRow], Findings]:
    findings = Findings()
    problems = findings.problems
    try:
        headers, rows = read_rows(text)
    except CsvError as exc:
        problems.append(f"Personeelsbestand: {exc}")
        return [], findings
    problems += _missing_columns(headers, STAFF_REQUIRED, "personeels")
    if problems:
        return [], findings
    result: list[StaffRow] = []
    seen: dict[str, int] = {}
    for row in rows:
        before = len(problems)
        prefix = f"Personeel, regel {row.line}"
        _check_control_characters(row, STAFF_COLUMNS, prefix, problems)
        for column in ("voornaam", "achternaam", "e-mail"):
            if not row.get(column):
                problems.append(f"{prefix}: de kolom '{column}' is leeg.")
        _check_damage(
            row,
            {"voornaam": "voornaam", "tussenvoegsel": "tussenvoegsel", "achternaam": "achternaam"},
            prefix,
            findings.damaged,
        )
        email = row.get("e-mail").lower()
        if email and not _valid_email(email):
            problems.append(f"{prefix}: het e-mailadres ('{row.get('e-mail')}') is ongeldig.")
        role = ROLES.get(row.get("rol").lower())
        if role is None:
            problems.append(
                f"{prefix}: onbekende rol '{row.get('rol')}' (kies leerkracht, directie of "
                f"beheerder)."
            )
        edit_value = row.get("mag ouders wijzigen").lower()
        if edit_value not in YES | NO:
            problems.append(f"{prefix}: 'mag ouders wijzigen' moet ja of nee zijn.")
        if email and email in seen:
            problems.append(f"{prefix}: {email} staat ook al op regel {seen[email]}.")
        if len(problems) > before:
            continue
        seen[email] = row.line
        groups = [" ".join(g.split()) for g in re.split(r"[|,]", row.get("groepen"))]
        result.append(
            StaffRow(
                line=row.line,
                first_name=row.get("voornaam"),
                infix=row.get("tussenvoegsel"),
                last_name=row.get("achternaam"),
                email=email,
                role=role,
                groups=[g for g in groups if g],
                can_edit_parents=edit_value in YES,
            )
        )
    return result, findings


# --- comparing the export with the school --------------------------------------------------

PUPIL_FIELD_LABELS = {
    "first_name": "roepnaam",
    "infix": "tussenvoegsel",
    "last_name": "achternaam",
    "group": "groep",
}
RULE_LABELS = {
    "email": "e-mailadres",
    "name": "naam en adres",
    "child_name": "kind en naam",
    "child_address": "kind en adres",
}
# The mass-change guard: more than this share of the pupils leaving, or fewer than this share
# of the file's pupil numbers known, in a school of at least GUARD_MIN_PUPILS pupils.
GUARD_LEAVING_SHARE = 0.20
GUARD_KNOWN_SHARE = 0.50
GUARD_MIN_PUPILS = 20


class ImportNotConfirmed(ImportProblems):
    """The import would change a large part of the school and the school's name was not
    typed (or typed wrongly)."""


class ImportStale(ImportProblems):
    """Another import of the school was applied (or undone) after this preview was shown:
    what the beheerder confirmed is no longer what would happen."""


STALE_MESSAGE = (
    "Intussen is een andere import van deze school verwerkt of ongedaan gemaakt. Er is "
    "niets gewijzigd; bekijk het voorbeeld opnieuw en bevestig dan."
)


def import_state(school: School) -> str:
    """A token of the school's last import or undo, shown with the preview and checked
    (under the school's lock) when the beheerder confirms."""
    from django.db.models import Max

    last = ImportBatch.objects.filter(school=school).aggregate(
        applied=Max("applied_at"), undone=Max("undone_at")
    )
    return "|".join(value.isoformat() if value else "-" for value in last.values())


@dataclass
class _State:
    """The school's current rows, loaded once so planning and applying cost a fixed number
    of queries whatever the size of the school."""

    groups: dict[str, Group]
    pupils: dict[str, Pupil]
    parents: list[Parent]
    links: dict[int, dict[int, Guardianship]]  # pupil id -> parent id -> link
    pupil_baselines: dict[int, PupilBaseline]
    parent_baselines: dict[int, ParentBaseline]
    tombstones: dict[str, ParentTombstone]
    staff: dict[str, StaffMember]


def _load_state(school: School) -> _State:
    groups = {g.name: g for g in Group.objects.filter(school=school)}
    pupils = {p.number: p for p in Pupil.objects.filter(school=school).select_related("group")}
    parents = list(Parent.objects.filter(school=school).order_by("pk"))
    links: dict[int, dict[int, Guardianship]] = {}
    for link in Guardianship.objects.filter(pupil__school=school):
        links.setdefault(link.pupil_id, {})[link.parent_id] = link
    staff = {
        s.email.lower(): s
        for s in StaffMember.objects.filter(school=school)
        .select_related("user")
        .prefetch_related("groups")
    }
    return _State(
        groups=groups,
        pupils=pupils,
        parents=parents,
        links=links,
        pupil_baselines={b.pupil_id: b for b in PupilBaseline.objects.filter(pupil__school=school)},
        parent_baselines={
            b.parent_id: b for b in ParentBaseline.objects.filter(parent__school=school)
        },
        tombstones=tombstone_index(ParentTombstone.objects.filter(school=school)),
        staff=staff,
    )


@dataclass
class _Guardian:
    """One person of the export (a guardian of one or more pupils) and what OCS makes of
    them."""

    row: GuardianRow
    children: dict[str, str]  # pupil number -> relation
    parent: Parent | None = None
    rule: str = ""
    tombstone: ParentTombstone | None = None
    restore: bool = False
    updates: dict[str, str] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, str]:
        return {f: getattr(self.row, f) for f in PARENT_DATA_FIELDS}

    @property
    def linked(self) -> bool:
        """Whether the import links this guardian to their children."""
        return self.tombstone is None or self.restore


@dataclass
class _PupilOp:
    row: PupilRow
    pupil: Pupil | None  # the pupil as OCS has it, None for a new one
    updates: dict[str, object] = field(default_factory=dict)
    created: Pupil | None = None


@dataclass
class _Ops:
    pupils: list[_PupilOp]
    guardians: dict[str, _Guardian]  # guardian key -> guardian
    leaving: list[Pupil]
    tombstones_to_remove: list[ParentTombstone]
    tombstones_seen: list[ParentTombstone]


def _casefold(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def _address_key(values) -> str:
    get = values.get if isinstance(values, dict) else lambda f: getattr(values, f)
    return f"{_casefold(get('postcode')).replace(' ', '')}|{_casefold(get('house_number'))}"


def _name_key(values) -> str:
    get = values.get if isinstance(values, dict) else lambda f: getattr(values, f)
    return f"{_casefold(get('first_name'))}|{_casefold(get('last_name'))}"


def damaged_matches(damaged: str, intact: str) -> bool:
    """Whether `intact` is what `damaged` was before it lost letters ("Y?lmaz" / "Yılmaz")."""
    pattern = "".join(
        "." if c in "?\ufffd" else re.escape(c) for c in unicodedata.normalize("NFC", damaged)
    )
    return re.fullmatch(pattern, unicodedata.normalize("NFC", intact)) is not None


def _same(export: str, current: str) -> bool:
    return export == current or (looks_damaged(export) and damaged_matches(export, current))


def _show(value: object) -> str:
    return str(value) if value not in ("", None) else "(leeg)"


def _merge(
    *,
    plan: ImportPlan,
    key: str,
    who: str,
    labels: dict[str, str],
    current: dict,
    export: dict,
    base: dict | None,
    choices: dict[str, str],
) -> dict:
    """Three-way merge of one record: apply what the export changed since the previous
    import, keep what the school changed in OCS, and list a conflict where both did."""
    updates = {}
    for name, theirs in export.items():
        ours = current[name]
        if _same(theirs, ours):
            continue
        before = base.get(name, ours) if base is not None else ours
        if _same(theirs, before):
            plan.kept.append(
                f"{who}: {labels[name]} blijft {_show(ours)} (gewijzigd in OCS; de export "
                f"heeft nog {_show(theirs)})"
            )
        elif ours == before:
            updates[name] = theirs
        else:
            conflict = Conflict(
                key=f"{key}:{name}",
                who=who,
                label=labels[name],
                ocs=_show(ours),
                export=_show(theirs),
                choice="export" if choices.get(f"{key}:{name}") == "export" else "ocs",
            )
            plan.conflicts.append(conflict)
            if conflict.choice == "export":
                updates[name] = theirs
    return updates


def _describe_updates(labels: dict[str, str], current: dict, updates: dict) -> str:
    return ", ".join(
        f"{labels[name]} {_show(current[name])} → {_show(value)}" for name, value in updates.items()
    )


def _match_guardians(state: _State, guardians: dict[str, _Guardian], school: School) -> None:
    """Find the parent of each guardian of the export. First the rules that identify a
    person on their own (e-mail address; name + postcode + huisnummer), as OCS has them now
    or as the previous export had them; then, for the rest, a deleted parent's tombstone;
    then the people linked to the guardian's children: the same name, or the same address."""
    by_email: dict[str, Parent] = {}
    by_name_address: dict[str, Parent] = {}
    for parent in state.parents:
        records = [{f: getattr(parent, f) for f in PARENT_DATA_FIELDS}]
        if baseline := state.parent_baselines.get(parent.pk):
            records.append(baseline.values)
        for values in records:
            if values.get("email"):
                by_email.setdefault(values["email"].lower(), parent)
            by_name_address.setdefault(name_address_key(_Values(values)), parent)
    claimed: set[int] = set()

    def claim(guardian: _Guardian, parent: Parent, rule: str) -> None:
        guardian.parent, guardian.rule = parent, rule
        claimed.add(parent.pk)

    for guardian in guardians.values():
        row = guardian.row
        parent = by_email.get(row.email) if row.email else None
        if parent is not None and parent.pk not in claimed:
            claim(guardian, parent, "email")
            continue
        parent = by_name_address.get(name_address_key(row))
        emails = {parent.email.lower()} if parent is not None else set()
        if parent is not None and (baseline := state.parent_baselines.get(parent.pk)):
            emails.add(baseline.values.get("email", "").lower())
        if parent is not None and parent.pk not in claimed and (not row.email or not any(emails)):
            claim(guardian, parent, "name")

    parents_of: dict[str, list[Parent]] = {}
    by_pk = {p.pk: p for p in state.parents}
    for number, pupil in state.pupils.items():
        parents_of[number] = [by_pk[pk] for pk in state.links.get(pupil.pk, {}) if pk in by_pk]
    for guardian in guardians.values():
        if guardian.parent is not None:
            continue
        digests = identity_digests(school_id=school.pk, values=guardian.values)
        tombstone = next((state.tombstones[d] for d in digests if d in state.tombstones), None)
        if tombstone is not None:
            guardian.tombstone = tombstone
            continue
        candidates = [
            p
            for number in guardian.children
            for p in parents_of.get(number, [])
            if p.pk not in claimed
        ]
        candidates = list(dict.fromkeys(candidates))
        for rule, key in (("child_name", _name_key), ("child_address", _address_key)):
            wanted = key(guardian.row)
            if rule == "child_address" and wanted == "|":
                continue
            found = [p for p in candidates if wanted in _keys_of(state, p, key)]
            if len(found) > 1:
                # Two parents of the child at one address: the relation decides.
                found = [
                    p
                    for p in found
                    if any(
                        state.links[state.pupils[n].pk][p.pk].relation == relation
                        for n, relation in guardian.children.items()
                        if n in state.pupils and p.pk in state.links.get(state.pupils[n].pk, {})
                    )
                ]
            if len(found) == 1:
                claim(guardian, found[0], rule)
                break


@dataclass
class _Values:
    """Dict values with attribute access, for name_address_key."""

    values: dict

    def __getattr__(self, name: str) -> str:
        return self.values.get(name, "")


def _keys_of(state: _State, parent: Parent, key) -> set[str]:
    keys = {key(parent)}
    if baseline := state.parent_baselines.get(parent.pk):
        keys.add(key(baseline.values))
    return keys


def _compute(
    *,
    school: School,
    pupils: list[PupilRow],
    staff_rows: list[StaffRow] | None,
    findings: Findings,
    state: _State,
    choices: dict[str, str],
    restore: set[str],
    actor_email: str,
) -> ImportPlan:
    plan = ImportPlan(
        pupils=pupils, staff=staff_rows, warnings=findings.warnings, damaged=findings.damaged
    )
    file_groups = {p.group for p in pupils} | {g for s in staff_rows or [] for g in s.groups}
    plan.groups_added = sorted(file_groups - set(state.groups))

    guardians: dict[str, _Guardian] = {}
    for row in pupils:
        for guardian_row in row.guardians:
            guardian = guardians.setdefault(
                guardian_row.key, _Guardian(row=guardian_row, children={})
            )
            guardian.children[row.number] = guardian_row.relation
    _match_guardians(state, guardians, school)

    pupil_names = {row.number: f"{row.full_name} ({row.number})" for row in pupils}
    taken_emails = {p.email.lower(): p.pk for p in state.parents if p.email}
    for key, guardian in guardians.items():
        row = guardian.row
        children = ", ".join(pupil_names[n] for n in guardian.children)
        if guardian.tombstone is not None:
            token = guardian_token(school, key)
            guardian.restore = token in restore
            plan.deleted_parents.append(
                DeletedParent(
                    key=token,
                    description=f"{row.full_name} ({row.email or 'geen e-mail'})",
                    children=[pupil_names[n] for n in guardian.children],
                    restore=guardian.restore,
                )
            )
            if guardian.restore:
                plan.parents_added.append(f"{row.full_name} ({row.email or 'geen e-mail'})")
            continue
        parent = guardian.parent
        if parent is None:
            if row.email and row.email in taken_emails:
                plan.warnings.append(
                    f"{row.full_name}: het e-mailadres {row.email} hoort in OCS bij een andere "
                    f"ouder; {row.full_name} wordt zonder e-mailadres aangemaakt."
                )
                guardian.row.email = ""
            plan.parents_added.append(f"{row.full_name} ({row.email or 'geen e-mail'})")
            continue
        current = {f: getattr(parent, f) for f in PARENT_DATA_FIELDS}
        obvious = (guardian.rule == "email" and row.email == parent.email.lower()) or (
            guardian.rule == "name" and name_address_key(row) == name_address_key(parent)
        )
        if not obvious:
            rule = RULE_LABELS[guardian.rule]
            if guardian.rule.startswith("child"):
                rule = f"{rule} ({children})"
            elif guardian.rule in ("email", "name"):
                rule = f"{rule} zoals in de vorige export"
            plan.matches.append(
                f"{row.full_name} ({row.email or 'geen e-mail'}) is in OCS "
                f"{parent.full_name} ({parent.email or 'geen e-mail'}); herkend aan {rule}"
            )
        baseline = state.parent_baselines.get(parent.pk)
        who = parent.full_name
        updates = _merge(
            plan=plan,
            key=f"ouder-{parent.public_id}",
            who=who,
            labels=FIELD_LABELS,
            current=current,
            export=guardian.values,
            base=baseline.values if baseline else None,
            choices=choices,
        )
        new_email = updates.get("email", "").lower()
        if new_email and taken_emails.get(new_email, parent.pk) != parent.pk:
            plan.warnings.append(
                f"{who}: het nieuwe e-mailadres {new_email} hoort in OCS al bij een andere "
                f"ouder; het e-mailadres blijft {_show(parent.email)}."
            )
            del updates["email"]
        if updates:
            guardian.updates = updates
            plan.parents_changed.append(
                f"{who}: {_describe_updates(FIELD_LABELS, current, updates)}"
            )

    ops = _Ops(
        pupils=[], guardians=guardians, leaving=[], tombstones_to_remove=[], tombstones_seen=[]
    )
    for guardian in guardians.values():
        if guardian.tombstone is not None:
            target = ops.tombstones_to_remove if guardian.restore else ops.tombstones_seen
            if guardian.tombstone not in target:
                target.append(guardian.tombstone)

    for row in pupils:
        pupil = state.pupils.get(row.number)
        op = _PupilOp(row=row, pupil=pupil)
        ops.pupils.append(op)
        if pupil is None:
            plan.pupils_added.append(f"{row.full_name} ({row.number}), {row.group}")
        else:
            current = {
                "first_name": pupil.first_name,
                "infix": pupil.infix,
                "last_name": pupil.last_name,
                "group": pupil.group.name if pupil.group else "",
            }
            export = {
                "first_name": row.first_name,
                "infix": row.infix,
                "last_name": row.last_name,
                "group": row.group,
            }
            baseline = state.pupil_baselines.get(pupil.pk)
            base = dict(baseline.values) if baseline else None
            if pupil.left_on is not None and base is not None:
                base["group"] = ""  # a returning pupil joins the group the export names
            op.updates = _merge(
                plan=plan,
                key=f"leerling-{pupil.public_id}",
                who=f"{pupil.full_name} ({pupil.number})",
                labels=PUPIL_FIELD_LABELS,
                current=current,
                export=export,
                base=base,
                choices=choices,
            )
            changes = []
            if any(f in op.updates for f in ("first_name", "infix", "last_name")):
                merged = {**current, **op.updates}
                changes.append(
                    f"naam {pupil.full_name} → "
                    f"{join_name(merged['first_name'], merged['infix'], merged['last_name'])}"
                )
            if "group" in op.updates:
                changes.append(f"groep {current['group'] or '(geen groep)'} → {row.group}")
            if pupil.left_on is not None:
                op.updates["left_on"] = None
                changes.append("weer ingeschreven")
            if changes:
                plan.pupils_changed.append(f"{row.full_name} ({row.number}): {', '.join(changes)}")
        _plan_links(plan, state, row, pupil, guardians)

    numbers = {p.number for p in pupils}
    ops.leaving = [
        p for p in state.pupils.values() if p.number not in numbers and p.left_on is None
    ]
    plan.pupils_removed = [f"{p.full_name} ({p.number})" for p in ops.leaving]
    plan.ops = ops
    plan.mass_change = _mass_change(state, pupils, len(ops.leaving))

    if staff_rows is not None:
        _plan_staff(plan, state, staff_rows, actor_email)
    return plan


def _plan_links(
    plan: ImportPlan,
    state: _State,
    row: PupilRow,
    pupil: Pupil | None,
    guardians: dict[str, _Guardian],
) -> None:
    wanted = _wanted_links(row, guardians)
    if pupil is None:
        plan.links_added += len(wanted) + sum(
            1 for g in row.guardians if guardians[g.key].parent is None and guardians[g.key].linked
        )
        return
    current = state.links.get(pupil.pk, {})
    base = _base_parents(state, pupil)
    for parent_id in wanted:
        if parent_id not in current and parent_id not in base:
            plan.links_added += 1
    plan.links_added += sum(
        1 for g in row.guardians if guardians[g.key].parent is None and guardians[g.key].linked
    )
    plan.links_removed += sum(1 for pk in current if pk not in wanted and pk in base)


def _wanted_links(row: PupilRow, guardians: dict[str, _Guardian]) -> dict[int, str]:
    """Parent id -> relation, for the guardians of this row that exist in OCS already."""
    wanted = {}
    for guardian_row in row.guardians:
        guardian = guardians[guardian_row.key]
        if guardian.parent is not None:
            wanted[guardian.parent.pk] = guardian_row.relation
    return wanted


def _base_parents(state: _State, pupil: Pupil) -> set[int]:
    """The parents the previous import linked to this pupil. Without a baseline (a pupil
    from before baselines were kept) every current link counts as the import's."""
    baseline = state.pupil_baselines.get(pupil.pk)
    if baseline is None or "parents" not in baseline.values:
        return set(state.links.get(pupil.pk, {}))
    return set(baseline.values["parents"])


def _mass_change(state: _State, pupils: list[PupilRow], leaving: int) -> MassChange | None:
    active = sum(1 for p in state.pupils.values() if p.left_on is None)
    known = sum(1 for row in pupils if row.number in state.pupils)
    if active < GUARD_MIN_PUPILS:
        return None
    if leaving > GUARD_LEAVING_SHARE * active or known < GUARD_KNOWN_SHARE * len(pupils):
        return MassChange(active=active, leaving=leaving, in_file=len(pupils), known=known)
    return None


def mass_change_message(school: School, change: MassChange) -> list[str]:
    """The warning the preview opens with (plain Dutch)."""
    return [
        f"Let op: deze import zou een groot deel van {school.name} vervangen. "
        f"{change.leaving} van de {change.active} leerlingen ({change.leaving_percent}%) "
        f"staan niet in het bestand en zouden de school verlaten, en van de "
        f"{change.in_file} leerlingnummers in het bestand kent OCS er {change.known}.",
        "Meestal betekent dit dat er iets mis is met het bestand: het verkeerde bestand is "
        "gekozen (een oude export, of een export van één groep), het is de export van een "
        "andere school, of de leerlingadministratie heeft de leerlingen nieuwe "
        "leerlingnummers gegeven. Bij nieuwe nummers ziet OCS iedereen als nieuwe leerling: "
        "de huidige leerlingen verlaten de school en hun gesprekken en gegevens raken los van "
        "de nieuwe.",
        f"Controleer het bestand. Weet u zeker dat het klopt? Typ dan de naam van de school "
        f"({school.name}) om de import toch uit te voeren.",
    ]


def school_name_matches(school: School, typed: str) -> bool:
    return _casefold(typed) == _casefold(school.name)


def guardian_token(school: School, key: str) -> str:
    """A stable form value for a guardian of the export that reveals nothing by itself."""
    return salted_hmac(
        "ocs.schools.import.guardian", f"{school.pk}|{key}", algorithm="sha256"
    ).hexdigest()[:20]


def _plan_staff(
    plan: ImportPlan, state: _State, staff_rows: list[StaffRow], actor_email: str
) -> None:
    emails = {s.email for s in staff_rows}
    for row in staff_rows:
        member = state.staff.get(row.email)
        name = join_name(row.first_name, row.infix, row.last_name)
        if member is None:
            plan.staff_added.append(f"{name} ({row.role})")
        elif _staff_differs(member, row):
            plan.staff_changed.append(name)
    plan.staff_removed = [
        s.full_name
        for email, s in state.staff.items()
        if email not in emails and s.is_active and email != actor_email.lower()
    ]


def _read(
    pupils_csv: str, staff_csv: str
) -> tuple[list[PupilRow], list[StaffRow] | None, Findings]:
    pupils, findings = parse_pupils(pupils_csv)
    staff_rows = None
    if staff_csv.strip():
        staff_rows, staff_findings = parse_staff(staff_csv)
        for name in ("problems", "warnings", "damaged"):
            getattr(findings, name).extend(getattr(staff_findings, name))
    if findings.problems:
        raise ImportProblems(findings.problems)
    return pupils, staff_rows, findings


def import_plan(
    *,
    school: School,
    pupils_csv: str,
    staff_csv: str = "",
    actor_email: str = "",
    choices: dict[str, str] | None = None,
    restore: set[str] | None = None,
) -> ImportPlan:
    """Read the export and compare it with the school. Raises ImportProblems with every
    problem found; writes nothing."""
    pupils, staff_rows, findings = _read(pupils_csv, staff_csv)
    return _compute(
        school=school,
        pupils=pupils,
        staff_rows=staff_rows,
        findings=findings,
        state=_load_state(school),
        choices=choices or {},
        restore=restore or set(),
        actor_email=actor_email,
    )


def _staff_differs(member: StaffMember, row: StaffRow) -> bool:
    return (
        (member.first_name, member.infix, member.last_name, member.role, member.can_edit_parents)
        != (row.first_name, row.infix, row.last_name, row.role, row.can_edit_parents)
        or not member.is_active
        or {g.name for g in member.groups.all()} != set(row.groups)
    )


# --- applying ---------------------------------------------------------------------------------


@transaction.atomic
def import_apply(
    *,
    school: School,
    pupils_csv: str,
    staff_csv: str = "",
    actor_email: str = "",
    choices: dict[str, str] | None = None,
    restore: set[str] | None = None,
    confirm_name: str = "",
    batch: ImportBatch | None = None,
    expected_state: str | None = None,
) -> ImportPlan:
    """Make the changes `import_plan` describes (with the beheerder's choices for conflicts
    and deleted parents), all or nothing, and record each change for "ongedaan maken".

    `expected_state` is `import_state` as it was when the preview was shown: when another
    import was applied or undone since (two beheerders confirming at once, or one confirming
    twice), nothing is written and ImportStale says so."""
    pupils, staff_rows, findings = _read(pupils_csv, staff_csv)
    # Lock the school row so two imports of the same school run one after the other; the
    # second then sees the first's state and stops when its preview is out of date.
    School.objects.select_for_update().get(pk=school.pk)
    if expected_state is not None and import_state(school) != expected_state:
        raise ImportStale([STALE_MESSAGE])
    state = _load_state(school)
    plan = _compute(
        school=school,
        pupils=pupils,
        staff_rows=staff_rows,
        findings=findings,
        state=state,
        choices=choices or {},
        restore=restore or set(),
        actor_email=actor_email,
    )
    if plan.mass_change is not None and not school_name_matches(school, confirm_name):
        raise ImportNotConfirmed(
            [
                *mass_change_message(school, plan.mass_change),
                "De naam van de school is niet (goed) ingetypt; er is niets gewijzigd.",
            ]
        )
    if batch is None:
        batch = ImportBatch.objects.create(school=school, pupils_csv="", staff_csv="")
    journal = _Journal(batch)
    ops = plan.ops
    today = timezone.localdate()

    for name in plan.groups_added:
        state.groups[name] = Group.objects.create(school=school, name=name)
        journal.add("group_added", group=state.groups[name])

    writes = _Writes()
    for guardian in ops.guardians.values():
        if guardian.linked:
            _apply_parent(state, school, guardian, journal, writes)
    Parent.objects.bulk_create(writes.parents)
    for parent in writes.parents:
        journal.add("parent_added", parent=parent)
    for guardian in ops.guardians.values():
        if guardian.linked:
            _parent_baseline(state, guardian.parent, guardian.values, journal, writes)
    for tombstone in ops.tombstones_to_remove:
        journal.add(
            "tombstone_removed",
            data={"digests": tombstone.digests, "reason": tombstone.reason},
        )
        tombstone.delete()
    ParentTombstone.objects.filter(pk__in=[t.pk for t in ops.tombstones_seen]).update(
        last_seen_on=today
    )

    for op in ops.pupils:
        _apply_pupil(state, school, op, journal, writes)
    Pupil.objects.bulk_create(writes.pupils)
    for pupil in writes.pupils:
        state.pupils[pupil.number] = pupil
        journal.add("pupil_added", pupil=pupil)
    for op in ops.pupils:
        _apply_links(state, op, ops.guardians, journal, writes)
    writes.save()

    for pupil in ops.leaving:
        journal.add(
            "pupil_changed",
            pupil=pupil,
            data={
                "before": {"group": pupil.group_id, "left_on": None},
                "after": {"group": None, "left_on": today.isoformat()},
            },
        )
    Pupil.objects.filter(pk__in=[p.pk for p in ops.leaving]).update(group=None, left_on=today)

    if plan.staff is not None:
        emails = {s.email for s in plan.staff}
        for row in plan.staff:
            _apply_staff(state, school, row, journal)
        for email, member in state.staff.items():
            if email not in emails and member.is_active and email != actor_email.lower():
                journal.add(
                    "staff_changed",
                    staff=member,
                    data={"before": {"is_active": True}, "after": {"is_active": False}},
                )
                member.is_active = False
                member.save(update_fields=["is_active"])
                if member.user_id is not None:
                    member.user.end_all_sessions()
    journal.save()
    # Keep no copy of the export once it is applied: it is personal data.
    batch.applied_at = timezone.now()
    batch.pupils_csv = batch.staff_csv = ""
    batch.save(update_fields=["applied_at", "pupils_csv", "staff_csv"])
    plan.batch = batch
    return plan


class _Journal:
    """Collects the ImportChange rows of one import and writes them in one statement."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        self.rows: list[ImportChange] = []

    def add(self, kind: str, *, data: dict | None = None, **objects) -> None:
        self.rows.append(ImportChange(batch=self.batch, kind=kind, data=data or {}, **objects))

    def save(self) -> None:
        ImportChange.objects.bulk_create(self.rows, batch_size=500)


@dataclass
class _Writes:
    """Rows an import creates or rewrites in bulk: a fixed number of statements for most of
    the work whatever the size of the school."""

    parents: list[Parent] = field(default_factory=list)
    pupils: list[Pupil] = field(default_factory=list)
    links: list[Guardianship] = field(default_factory=list)
    baselines: list[ParentBaseline | PupilBaseline] = field(default_factory=list)
    changed_baselines: list[ParentBaseline | PupilBaseline] = field(default_factory=list)

    def save(self) -> None:
        Guardianship.objects.bulk_create(self.links, batch_size=500)
        for model in (ParentBaseline, PupilBaseline):
            new = [b for b in self.baselines if isinstance(b, model)]
            changed = [b for b in self.changed_baselines if isinstance(b, model)]
            model.objects.bulk_create(new, batch_size=500)
            model.objects.bulk_update(changed, ["values"], batch_size=500)


def _remember(
    baselines: dict, model, owner, values: dict, journal: _Journal, writes: _Writes
) -> None:
    """Keep what the export said about one record; journal the previous state if it changed."""
    owner_field = "parent" if model is ParentBaseline else "pupil"
    kind = f"{owner_field}_baseline"
    baseline = baselines.get(owner.pk)
    if baseline is not None and baseline.values == values:
        return
    journal.add(
        kind, **{owner_field: owner}, data={"before": baseline.values if baseline else None}
    )
    if baseline is None:
        baseline = model(**{owner_field: owner}, values=values)
        baselines[owner.pk] = baseline
        writes.baselines.append(baseline)
    else:
        baseline.values = values
        writes.changed_baselines.append(baseline)


def _parent_baseline(
    state: _State, parent: Parent, values: dict, journal: _Journal, writes: _Writes
) -> None:
    _remember(state.parent_baselines, ParentBaseline, parent, values, journal, writes)


def _apply_parent(
    state: _State, school: School, guardian: _Guardian, journal: _Journal, writes: _Writes
) -> None:
    if guardian.parent is None:
        guardian.parent = Parent(school=school, **guardian.values)
        writes.parents.append(guardian.parent)
    elif guardian.updates:
        parent = guardian.parent
        before = {f: getattr(parent, f) for f in guardian.updates}
        for name, value in guardian.updates.items():
            setattr(parent, name, value)
        parent.save(update_fields=list(guardian.updates))
        journal.add(
            "parent_changed", parent=parent, data={"before": before, "after": guardian.updates}
        )


def _apply_pupil(
    state: _State, school: School, op: _PupilOp, journal: _Journal, writes: _Writes
) -> None:
    row = op.row
    pupil = op.pupil
    if pupil is None:
        op.created = Pupil(
            school=school,
            number=row.number,
            first_name=row.first_name,
            infix=row.infix,
            last_name=row.last_name,
            group=state.groups[row.group],
        )
        writes.pupils.append(op.created)
    elif op.updates:
        before, after = {}, {}
        for name, value in op.updates.items():
            if name == "group":
                before["group"], after["group"] = pupil.group_id, state.groups[value].pk
                pupil.group = state.groups[value]
            elif name == "left_on":
                before["left_on"], after["left_on"] = pupil.left_on.isoformat(), None
                pupil.left_on = None
            else:
                before[name], after[name] = getattr(pupil, name), value
                setattr(pupil, name, value)
        pupil.save(update_fields=list(op.updates))
        journal.add("pupil_changed", pupil=pupil, data={"before": before, "after": after})


def _apply_links(
    state: _State,
    op: _PupilOp,
    guardians: dict[str, _Guardian],
    journal: _Journal,
    writes: _Writes,
) -> None:
    """Link the pupil to the export's guardians (not to deleted parents), unlink the parents
    the export dropped, keep links the school made or removed itself; then remember what the
    export said about the pupil."""
    row = op.row
    pupil = op.pupil or op.created
    wanted = _wanted_links(row, guardians)
    current = state.links.get(pupil.pk, {})
    base = _base_parents(state, pupil) if op.pupil is not None else set()
    for parent_id, link in current.items():
        if parent_id in wanted:
            if link.relation != wanted[parent_id]:
                journal.add(
                    "link_relation",
                    pupil=pupil,
                    parent_id=parent_id,
                    data={"before": link.relation, "after": wanted[parent_id]},
                )
                link.relation = wanted[parent_id]
                link.save(update_fields=["relation"])
        elif parent_id in base:
            journal.add(
                "link_removed", pupil=pupil, parent_id=parent_id, data={"relation": link.relation}
            )
            link.delete()
    for parent_id, relation in wanted.items():
        if parent_id not in current and parent_id not in base:
            writes.links.append(Guardianship(parent_id=parent_id, pupil=pupil, relation=relation))
            journal.add("link_added", pupil=pupil, parent_id=parent_id)
    values = {
        "first_name": row.first_name,
        "infix": row.infix,
        "last_name": row.last_name,
        "group": row.group,
        "parents": sorted(wanted),
    }
    _remember(state.pupil_baselines, PupilBaseline, pupil, values, journal, writes)


def _apply_staff(state: _State, school: School, row: StaffRow, journal: _Journal) -> None:
    member = state.staff.get(row.email)
    if member is not None and not _staff_differs(member, row):
        return
    if member is None:
        # The school's record only: the person links their login by accepting an invitation
        # at this address ("Beheer → Uitnodigingen"). An import never creates or links one.
        member = StaffMember(school=school, email=row.email)
        before = None
    else:
        before = _staff_values(member)
    member.first_name, member.infix, member.last_name = row.first_name, row.infix, row.last_name
    member.role = row.role
    member.can_edit_parents = row.can_edit_parents
    member.is_active = True
    member.save()
    member.groups.set([state.groups[g] for g in row.groups])
    if before is None:
        journal.add("staff_added", staff=member)
    else:
        after = _staff_values(member, row.groups, state)
        changed = [f for f in after if after[f] != before[f]]
        journal.add(
            "staff_changed",
            staff=member,
            data={
                "before": {f: before[f] for f in changed},
                "after": {f: after[f] for f in changed},
            },
        )


def _staff_values(member: StaffMember, groups=None, state: _State | None = None) -> dict:
    group_ids = (
        sorted(state.groups[g].pk for g in groups)
        if groups is not None
        else sorted(g.pk for g in member.groups.all())
    )
    return {
        "first_name": member.first_name,
        "infix": member.infix,
        "last_name": member.last_name,
        "role": member.role,
        "can_edit_parents": member.can_edit_parents,
        "is_active": member.is_active,
        "groups": group_ids,
    }


def import_summary(plan: ImportPlan) -> dict[str, int]:
    return {
        "groups_added": len(plan.groups_added),
        "pupils_added": len(plan.pupils_added),
        "pupils_changed": len(plan.pupils_changed),
        "pupils_removed": len(plan.pupils_removed),
        "parents_added": len(plan.parents_added),
        "parents_changed": len(plan.parents_changed),
        "links_added": plan.links_added,
        "links_removed": plan.links_removed,
        "staff_added": len(plan.staff_added),
        "staff_changed": len(plan.staff_changed),
        "staff_removed": len(plan.staff_removed),
        "conflicts": len(plan.conflicts),
        "deleted_parents_restored": sum(1 for d in plan.deleted_parents if d.restore),
        "deleted_parents_skipped": sum(1 for d in plan.deleted_parents if not d.restore),
    }
