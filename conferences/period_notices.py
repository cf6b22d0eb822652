"""The portal's notice about open conference periods (one query)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conferences.period_access import periods_for_parent
from portal.notices import Notice
from schools.models import Parent


def period_notices(parent: Parent) -> list[Notice]:
    now = timezone.now()
    notices = []
    for period in periods_for_parent(parent).order_by("closes_at"):
        if period.is_preference and period.published_at is None and now < period.closes_at:
            text = _("%(name)s: geef uw voorkeuren op voor de gesprekken van al uw kinderen.")
        elif not period.is_preference and now < period.closes_at:
            text = _("%(name)s: plan de gesprekken van al uw kinderen in één keer.")
        elif period.published_at is not None:
            text = _("%(name)s: uw gesprekken zijn gepland.")
        else:
            continue
        notices.append(
            Notice(
                text=text % {"name": period.name},
                url=reverse("conferences:period_family", args=[period.public_id]),
                link_text=_("Naar de gesprekken"),
            )
        )
    return notices
