"""The portal dashboard's notice about special groups that are new to the parent."""

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.notices import Notice
from schools.models import Parent
from specialgroups.models import PortalListVisit, Signup
from specialgroups.selectors import special_groups_open_to_parent


def new_special_group_notices(parent: Parent) -> list[Notice]:
    """One query: the groups open to the parent that they have not joined, that appeared
    after their last visit to the portal's special-group page and that still take sign-ups
    (groups with activity: end date not passed and not full; groups without activity are
    always open)."""
    last_seen = PortalListVisit.objects.filter(parent=parent).values("seen_at")
    names = list(
        special_groups_open_to_parent(parent)
        .annotate(taken=Count("signups"))
        .filter(
            Q(has_activity=False)
            | Q(signup_deadline__gte=timezone.localdate())
            & (Q(max_participants__isnull=True) | Q(max_participants__gt=F("taken")))
        )
        .exclude(Exists(Signup.objects.filter(special_group=OuterRef("pk"), parent=parent)))
        .filter(~Exists(last_seen) | Q(created_at__gt=Subquery(last_seen[:1])))
        .order_by("name")
        .values_list("name", flat=True)
    )
    if not names:
        return []
    text = ngettext(
        "Er is een nieuwe speciale groep waarvoor u zich kunt inschrijven: %(names)s.",
        "Er zijn %(count)d nieuwe speciale groepen waarvoor u zich kunt inschrijven: %(names)s.",
        len(names),
    ) % {"count": len(names), "names": ", ".join(names)}
    return [
        Notice(
            text=text,
            url=reverse("specialgroups:portal_list"),
            link_text=_("Bekijk de speciale groepen"),
        )
    ]
