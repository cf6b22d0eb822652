"""The Logboek in Dutch sentences a directie member understands.

SENTENCES maps (action, object_type) of an audit entry to a sentence template with named
placeholders:

- ``{actor}``: who did it. Staff by name; a parent by name only when the reader may see that
  parent (otherwise "een ouder"); "OCS" for entries without a person.
- ``{object}``: the name of what it was done to (a parent, a group, a round, a mailing's
  subject, …), resolved the same way: parents only for readers who may see them.
- any key of the entry's ``detail`` (``{recipients}``, ``{count}``, …).

To describe a new kind of entry, add one line, for example::

    ("login", "user"): _("{actor} heeft ingelogd."),
    ("login_failed", "user"): _("Mislukte inlogpoging voor {object}."),
    ("edit", "user:email"): _("{actor} heeft het e-mailadres van de login gewijzigd."),

An entry without a line (or whose detail lacks a placeholder) still gets a Dutch sentence
from its action's label. An app names its own objects for ``{object}`` with
``register_object_names("mailing", Mailing.objects.all(), lambda m: m.subject)`` in its
AppConfig.ready(). Resolving names costs one query per kind of object on a page.
"""

from collections import defaultdict
from string import Formatter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SENTENCES = {
    ("view", "parent"): gettext_lazy("{actor} heeft de gegevens van {object} bekeken."),
    ("edit", "parent"): gettext_lazy("{actor} heeft de gegevens van {object} gewijzigd."),
    ("block", "parent"): gettext_lazy("{actor} heeft {object} geblokkeerd."),
    ("unblock", "parent"): gettext_lazy("{actor} heeft {object} weer toegelaten."),
    ("delete", "parent"): gettext_lazy("{actor} heeft een ouder verwijderd."),
    ("restrict", "parent"): gettext_lazy(
        "{actor} heeft de toegang van {object} tot een kind beperkt ({talks_cancelled} "
        "gesprekken geannuleerd, {mail_withdrawn} wachtende berichten teruggehaald)."
    ),
    ("unrestrict", "parent"): gettext_lazy(
        "{actor} heeft de beperking van {object} voor een kind opgeheven."
    ),
    ("erase", "parent"): gettext_lazy("{actor} heeft alle gegevens van een ouder gewist (AVG)."),
    ("export", "parent"): gettext_lazy(
        "{actor} heeft de gegevens van {object} geëxporteerd (AVG)."
    ),
    ("invite", "parent"): gettext_lazy("{actor} heeft {count} ouders uitgenodigd."),
    ("invite", "reminder"): gettext_lazy(
        "{actor} heeft {count} ouders herinnerd aan het activeren van hun account."
    ),
    ("download", "group"): gettext_lazy("{actor} heeft de pdf van {object} gedownload."),
    ("move", "group"): gettext_lazy("{actor} heeft de leerlingen van {object} verplaatst."),
    ("move", "school"): gettext_lazy(
        "{actor} heeft alle groepen naar het nieuwe schooljaar verplaatst."
    ),
    ("bounce", "parent"): gettext_lazy(
        "Mail aan {object} kwam terug als onbestelbaar ({status}): het e-mailadres werkt niet."
    ),
    ("send", "mailing"): gettext_lazy(
        "{actor} heeft het bericht ‘{object}’ verstuurd aan {recipients} ouders."
    ),
    ("edit", "question"): gettext_lazy("{actor} heeft de vraag bij ‘{object}’ beantwoord."),
    ("download", "question"): gettext_lazy(
        "{actor} heeft de antwoorden op de vraag bij ‘{object}’ gedownload (pdf)."
    ),
    ("send", "question"): gettext_lazy(
        "{actor} heeft een herinnering over de vraag bij ‘{object}’ gestuurd aan {reminders} "
        "gezinnen."
    ),
    ("create", "mailing"): gettext_lazy("{actor} heeft het concept ‘{object}’ opgeslagen."),
    ("edit", "mailing"): gettext_lazy("{actor} heeft het concept ‘{object}’ gewijzigd."),
    ("delete", "mailing"): gettext_lazy("{actor} heeft het concept ‘{subject}’ verwijderd."),
    ("create", "mailingschedule"): gettext_lazy(
        "{actor} heeft het bericht ‘{object}’ ingepland voor {at}."
    ),
    ("delete", "mailingschedule"): gettext_lazy(
        "{actor} heeft het inplannen van ‘{object}’ geannuleerd."
    ),
    ("send", "mailingschedule"): gettext_lazy(
        "Het ingeplande bericht ‘{object}’ is verstuurd aan {recipients} ouders."
    ),
    ("edit", "mailingschedule"): gettext_lazy(
        "Het ingeplande bericht ‘{object}’ kon niet worden verstuurd en staat weer bij de "
        "concepten."
    ),
    ("download", "mailingattachment"): gettext_lazy(
        "{actor} heeft de bijlage ‘{object}’ gedownload."
    ),
    ("create", "conferenceround"): gettext_lazy("{actor} heeft ‘{object}’ aangemaakt."),
    ("edit", "conferenceround"): gettext_lazy("{actor} heeft ‘{object}’ gewijzigd ({step})."),
    ("delete", "conferenceround"): gettext_lazy("{actor} heeft ‘{name}’ verwijderd."),
    ("download", "conferenceround"): gettext_lazy(
        "{actor} heeft de pdf van ‘{object}’ gedownload."
    ),
    ("send", "conferenceround"): gettext_lazy(
        "{actor} heeft voor ‘{object}’ een {kind} gestuurd aan {recipients} ouders."
    ),
    ("create", "slot"): gettext_lazy("{actor} heeft een oudergesprek gepland in ‘{object}’."),
    # Swap requests after a period's plan went out: asked, approved (moved), refused.
    ("create", "swaprequest"): gettext_lazy(
        "{actor} heeft gevraagd een oudergesprek in ‘{object}’ te verplaatsen van {old} naar {new}."
    ),
    ("move", "swaprequest"): gettext_lazy(
        "{actor} heeft een oudergesprek in ‘{object}’ verplaatst van {old} naar {new} "
        "(ruilverzoek goedgekeurd)."
    ),
    ("edit", "swaprequest"): gettext_lazy(
        "{actor} heeft het ruilverzoek in ‘{object}’ van {old} naar {new} geweigerd."
    ),
    ("create", "specialgroup"): gettext_lazy(
        "{actor} heeft de speciale groep ‘{object}’ aangemaakt."
    ),
    ("edit", "specialgroup"): gettext_lazy("{actor} heeft de speciale groep ‘{object}’ gewijzigd."),
    ("delete", "specialgroup"): gettext_lazy(
        "{actor} heeft de speciale groep ‘{name}’ verwijderd."
    ),
    ("download", "specialgroup"): gettext_lazy(
        "{actor} heeft de ledenlijst van ‘{object}’ gedownload."
    ),
    ("import", "importbatch"): gettext_lazy(
        "{actor} heeft een import uit de administratie verwerkt."
    ),
    ("edit", "user"): gettext_lazy("{actor} heeft het eigen wachtwoord gewijzigd."),
    # About a login (written for every school where the person has a role).
    ("login", "user"): gettext_lazy("{object} is ingelogd."),
    ("login_failed", "user"): gettext_lazy("Mislukte inlogpoging op het account van {object}."),
    ("lockout", "user"): gettext_lazy(
        "Het account van {object} is tijdelijk geblokkeerd na mislukte inlogpogingen."
    ),
    ("reset_requested", "user"): gettext_lazy("Voor {object} is een nieuw wachtwoord aangevraagd."),
    ("reset_used", "user"): gettext_lazy(
        "{object} heeft via de link een nieuw wachtwoord ingesteld."
    ),
    ("password_changed", "user"): gettext_lazy("{object} heeft het wachtwoord gewijzigd."),
    ("2fa_on", "user"): gettext_lazy("{object} heeft tweestapsverificatie aangezet."),
    ("2fa_off", "user"): gettext_lazy("{object} heeft tweestapsverificatie uitgezet."),
    ("2fa_reset", "user"): gettext_lazy("De tweestapsverificatie van {object} is gereset."),
    ("recovery_used", "user"): gettext_lazy("{object} heeft met een herstelcode ingelogd."),
    ("invite_accepted", "user"): gettext_lazy("{object} heeft de uitnodiging geaccepteerd."),
    ("email_confirmed", "user"): gettext_lazy(
        "{object} heeft een nieuw inlogadres bevestigd ({old} → {new})."
    ),
    ("edit", "staffmember"): gettext_lazy(
        "{actor} heeft de tweestapsverificatie aan- of uitgezet."
    ),
    ("edit", "school"): gettext_lazy(
        "{actor} heeft de beveiligingsinstellingen van de school gewijzigd."
    ),
}


# object_type → (queryset, label): how to name an entry's object. Apps above audit register
# their own in AppConfig.ready() (audit may not import them): see register_object_names.
_NAMERS: dict = {}


def register_object_names(object_type: str, queryset, label) -> None:
    """Let the Logboek name objects of `object_type` by `label(obj)`, fetched from
    `queryset` (one query per page for all entries of that type)."""
    _NAMERS[object_type] = (queryset, label)


def _namers() -> dict:
    from schools.models import Group, Parent

    return {
        "parent": (Parent.objects.all(), lambda p: p.full_name),
        "group": (Group.objects.all(), lambda g: g.name),
        **_NAMERS,
    }


def describe(events, *, reader) -> list[str]:
    """One Dutch sentence per entry, as `reader` (a StaffMember) may read it."""
    from schools.access import parents_for_staff
    from schools.models import Parent

    events = list(events)
    models = _namers()
    wanted = defaultdict(set)
    for event in events:
        if (event.object_type in models or event.object_type == "user") and (
            event.object_id.isdigit()
        ):
            wanted[event.object_type].add(int(event.object_id))
    names: dict[tuple[str, int], str] = {}
    visible_parents = set(parents_for_staff(reader).values_list("pk", flat=True))
    for kind, ids in wanted.items():
        if kind not in models:
            continue
        queryset, label = models[kind]
        for obj in queryset.filter(pk__in=ids):
            if kind == "parent" and obj.pk not in visible_parents:
                continue
            names[(kind, obj.pk)] = label(obj)
    # Logins: staff of the reader's school by name, parents only when the reader may see them.
    if wanted.get("user"):
        from schools.models import StaffMember

        people = [
            *Parent.objects.filter(user_id__in=wanted["user"], pk__in=visible_parents),
            *StaffMember.objects.filter(user_id__in=wanted["user"], school=reader.school),
        ]
        for person in people:
            names[("user", person.user_id)] = person.full_name
    # Parents who acted themselves (in the portal): named only when the reader may see them.
    actor_ids = {e.actor_id for e in events if e.actor_id and "<" not in e.actor_label}
    acting_parents = {
        p.user_id: p.full_name
        for p in Parent.objects.filter(user_id__in=actor_ids, pk__in=visible_parents)
    }
    return [_sentence(e, names, acting_parents) for e in events]


def _actor(event, acting_parents) -> str:
    if "<" in event.actor_label:  # staff: "Naam <e-mail>"
        return event.actor_label.split("<")[0].strip()
    if event.actor_id in acting_parents:
        return acting_parents[event.actor_id]
    if event.actor_id or event.actor_label:
        return _("een ouder")
    return "OCS"


def _sentence(event, names, acting_parents) -> str:
    values = {key: _plain(value) for key, value in (event.detail or {}).items()}
    values["actor"] = _actor(event, acting_parents)
    fallback_object = {"parent": _("een ouder"), "user": _("een ouder")}.get(
        event.object_type, _("een onderdeel")
    )
    values["object"] = names.get(
        (event.object_type, int(event.object_id)) if event.object_id.isdigit() else None,
        fallback_object,
    )
    template = SENTENCES.get((event.action, event.object_type))
    if template is not None:
        needed = {field for _text, field, _spec, _conv in Formatter().parse(str(template)) if field}
        if needed <= values.keys():
            return str(template).format(**values)
    return _("%(actor)s: %(action)s.") % {
        "actor": values["actor"],
        "action": event.get_action_display(),
    }


def _plain(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is True:
        return _("ja")
    if value is False:
        return _("nee")
    return str(value)
