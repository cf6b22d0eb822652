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

from lib.csvread import CsvError, Row, read_rows
from schools.models import Group, Guardianship, Parent, Pupil, School, StaffMember, join_name

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


@dataclass
class _State:
    """The school's current rows, loaded once so planning and applying cost a fixed number
    of queries whatever the size of the school."""

    groups: dict[str, Group]
    pupils: dict[str, Pupil]
    parents_by_email: dict[str, Parent]
    parents_by_name: dict[str, Parent]
    links: dict[int, dict[int, Guardianship]]  # pupil id -> parent id -> link
    staff: dict[str, StaffMember]


def _load_state(school: School) -> _State:
    groups = {g.name: g for g in Group.objects.filter(school=school)}
    pupils = {p.number: p for p in Pupil.objects.filter(school=school).select_related("group")}
    parents = list(Parent.objects.filter(school=school))
    links: dict[int, dict[int, Guardianship]] = {}
    for link in Guardianship.objects.filter(pupil__school=school):
        links.setdefault(link.pupil_id, {})[link.parent_id] = link
    staff = {
        s.user.email.lower(): s
        for s in StaffMember.objects.filter(school=school)
        .select_related("user")
        .prefetch_related("groups")
    }
    return _State(
        groups=groups,
        pupils=pupils,
        parents_by_email={p.email.lower(): p for p in parents if p.email},
        parents_by_name={name_address_key(p): p for p in parents},
        links=links,
        staff=staff,
    )


def _find_parent(state: _State, guardian: GuardianRow) -> Parent | None:
    if guardian.email and guardian.email in state.parents_by_email:
        return state.parents_by_email[guardian.email]
    parent = state.parents_by_name.get(name_address_key(guardian))
    if parent is not None and (not parent.email or not guardian.email):
        return parent
    return None


def _parent_differences(parent: Parent, guardian: GuardianRow) -> list[str]:
    return [f for f in PARENT_DATA_FIELDS if getattr(parent, f) != getattr(guardian, f)]


def _pupil_differences(pupil: Pupil, row: PupilRow) -> list[str]:
    changes = []
    if (pupil.first_name, pupil.infix, pupil.last_name) != (
        row.first_name,
        row.infix,
        row.last_name,
    ):
        changes.append(f"naam {pupil.full_name} → {row.full_name}")
    current_group = pupil.group.name if pupil.group else "(geen groep)"
    if current_group != row.group:
        changes.append(f"groep {current_group} → {row.group}")
    if pupil.left_on is not None:
        changes.append("weer ingeschreven")
    return changes


def import_plan(
    *, school: School, pupils_csv: str, staff_csv: str = "", actor_email: str = ""
) -> ImportPlan:
    """Read the export and compare it with the school. Raises ImportProblems with every
    problem found; writes nothing."""
    pupils, findings = parse_pupils(pupils_csv)
    staff_rows = None
    if staff_csv.strip():
        staff_rows, staff_findings = parse_staff(staff_csv)
        for name in ("problems", "warnings", "damaged"):
            getattr(findings, name).extend(getattr(staff_findings, name))
    if findings.problems:
        raise ImportProblems(findings.problems)

    state = _load_state(school)
    plan = ImportPlan(
        pupils=pupils, staff=staff_rows, warnings=findings.warnings, damaged=findings.damaged
    )
    file_groups = {p.group for p in pupils} | {g for s in staff_rows or [] for g in s.groups}
    plan.groups_added = sorted(file_groups - set(state.groups))

    seen_parents: dict[str, Parent | None] = {}
    for row in pupils:
        pupil = state.pupils.get(row.number)
        if pupil is None:
            plan.pupils_added.append(f"{row.full_name} ({row.number}), {row.group}")
        else:
            changes = _pupil_differences(pupil, row)
            if changes:
                plan.pupils_changed.append(f"{row.full_name} ({row.number}): {', '.join(changes)}")
        wanted_parent_ids = set()
        for guardian in row.guardians:
            if guardian.key in seen_parents:
                parent = seen_parents[guardian.key]
            else:
                parent = _find_parent(state, guardian)
                seen_parents[guardian.key] = parent
                if parent is None:
                    plan.parents_added.append(
                        f"{guardian.full_name} ({guardian.email or 'geen e-mail'})"
                    )
                elif diffs := _parent_differences(parent, guardian):
                    described = [
                        f"{FIELD_LABELS[f]} {getattr(parent, f) or '(leeg)'} → "
                        f"{getattr(guardian, f) or '(leeg)'}"
                        for f in diffs
                    ]
                    plan.parents_changed.append(f"{guardian.full_name}: {', '.join(described)}")
            if parent is None:
                plan.links_added += 1
            else:
                wanted_parent_ids.add(parent.pk)
                if pupil is None or parent.pk not in state.links.get(pupil.pk, {}):
                    plan.links_added += 1
        if pupil is not None:
            plan.links_removed += len(set(state.links.get(pupil.pk, {})) - wanted_parent_ids)

    numbers = {p.number for p in pupils}
    plan.pupils_removed = [
        f"{p.full_name} ({p.number})"
        for p in state.pupils.values()
        if p.number not in numbers and p.left_on is None
    ]

    if staff_rows is not None:
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
    return plan


def _staff_differs(member: StaffMember, row: StaffRow) -> bool:
    return (
        (member.first_name, member.infix, member.last_name, member.role, member.can_edit_parents)
        != (row.first_name, row.infix, row.last_name, row.role, row.can_edit_parents)
        or not member.is_active
        or {g.name for g in member.groups.all()} != set(row.groups)
    )


@transaction.atomic
def import_apply(
    *, school: School, pupils_csv: str, staff_csv: str = "", actor_email: str = ""
) -> ImportPlan:
    """Make the changes `import_plan` describes, all or nothing."""
    from accounts.models import User

    plan = import_plan(
        school=school, pupils_csv=pupils_csv, staff_csv=staff_csv, actor_email=actor_email
    )
    # Lock the school row so two imports of the same school run one after the other.
    School.objects.select_for_update().get(pk=school.pk)
    state = _load_state(school)
    today = timezone.localdate()

    for name in plan.groups_added:
        state.groups[name] = Group.objects.create(school=school, name=name)

    parents: dict[str, Parent] = {}
    for row in plan.pupils:
        pupil = _apply_pupil(state, school, row)
        wanted: dict[int, str] = {}
        for guardian in row.guardians:
            parent = parents.get(guardian.key)
            if parent is None:
                parent = _apply_parent(state, school, guardian)
                parents[guardian.key] = parent
            wanted[parent.pk] = guardian.relation
        current = state.links.get(pupil.pk, {})
        for parent_id, link in current.items():
            if parent_id not in wanted:
                link.delete()
            elif link.relation != wanted[parent_id]:
                link.relation = wanted[parent_id]
                link.save(update_fields=["relation"])
        Guardianship.objects.bulk_create(
            [
                Guardianship(parent_id=pid, pupil=pupil, relation=rel)
                for pid, rel in wanted.items()
                if pid not in current
            ]
        )

    numbers = {p.number for p in plan.pupils}
    Pupil.objects.filter(school=school, left_on__isnull=True).exclude(number__in=numbers).update(
        group=None, left_on=today
    )

    if plan.staff is not None:
        emails = {s.email for s in plan.staff}
        for row in plan.staff:
            _apply_staff(state, school, row, User)
        for email, member in state.staff.items():
            if email not in emails and member.is_active and email != actor_email.lower():
                member.is_active = False
                member.save(update_fields=["is_active"])
                member.user.end_all_sessions()
    return plan


def _apply_pupil(state: _State, school: School, row: PupilRow) -> Pupil:
    group = state.groups[row.group]
    pupil = state.pupils.get(row.number)
    if pupil is None:
        pupil = Pupil.objects.create(
            school=school,
            number=row.number,
            first_name=row.first_name,
            infix=row.infix,
            last_name=row.last_name,
            group=group,
        )
        state.pupils[row.number] = pupil
        return pupil
    if _pupil_differences(pupil, row):
        pupil.first_name, pupil.infix, pupil.last_name = row.first_name, row.infix, row.last_name
        pupil.group = group
        pupil.left_on = None
        pupil.save(update_fields=["first_name", "infix", "last_name", "group", "left_on"])
    return pupil


def _apply_parent(state: _State, school: School, guardian: GuardianRow) -> Parent:
    parent = _find_parent(state, guardian)
    data = {f: getattr(guardian, f) for f in PARENT_DATA_FIELDS}
    if parent is None:
        parent = Parent.objects.create(school=school, **data)
    elif diffs := _parent_differences(parent, guardian):
        for f in diffs:
            setattr(parent, f, data[f])
        parent.save(update_fields=diffs)
    if parent.email:
        state.parents_by_email[parent.email.lower()] = parent
    state.parents_by_name[name_address_key(parent)] = parent
    return parent


def _apply_staff(state: _State, school: School, row: StaffRow, User) -> None:
    member = state.staff.get(row.email)
    if member is not None and not _staff_differs(member, row):
        return
    if member is None:
        user = User.objects.filter(email__iexact=row.email).first()
        if user is None:
            user = User.objects.create_user(row.email)
        member = StaffMember(school=school, user=user)
    member.first_name, member.infix, member.last_name = row.first_name, row.infix, row.last_name
    member.role = row.role
    member.can_edit_parents = row.can_edit_parents
    member.is_active = True
    member.save()
    member.groups.set([state.groups[g] for g in row.groups])


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
    }
