"""Mail about special-group places: a parent promoted from the waiting list, and the
lottery's result to everyone who took part. specialgroups sends signals (it sits below the
mail apps); accounts is the lowest app that renders templated mail, so it listens here."""

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse

from accounts.mail import email_enqueue
from schools.models import Parent
from specialgroups.signals import lottery_drawn, member_promoted


def _link() -> str:
    return settings.SITE_URL + reverse("specialgroups:portal_list")


@receiver(member_promoted, dispatch_uid="ocs-mail-promoted")
def mail_promoted(sender, special_group, parent, **kwargs):
    if parent.email:
        email_enqueue(
            to=parent.email,
            template="specialgroup_promoted",
            context={"group": special_group, "parent": parent, "link": _link()},
            school=special_group.school,
            parent=parent,
        )


@receiver(lottery_drawn, dispatch_uid="ocs-mail-lottery")
def mail_lottery(sender, special_group, draw, **kwargs):
    won = set(draw.winners)
    for parent in Parent.objects.filter(pk__in=[*draw.winners, *draw.losers]).exclude(email=""):
        email_enqueue(
            to=parent.email,
            template="specialgroup_lottery",
            context={
                "group": special_group,
                "parent": parent,
                "won": parent.pk in won,
                "link": _link(),
            },
            school=special_group.school,
            parent=parent,
        )
