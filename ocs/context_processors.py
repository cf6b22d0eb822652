from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from schools.access import MULTI_SCHOOL_KEY

# The "Oudercommunicatie" menu, in the manual's order. An item shows once its view exists,
# so a feature appears in the menu by adding its URL name.
STAFF_MENU = [
    (_("Ouderoverzicht"), "parents:group_list"),
    (_("Speciale groepen"), "specialgroups:list"),
    (_("Oudermailing"), "mailings:compose"),
    (_("Concepten"), "mailings:drafts"),
    (_("Verzonden berichten"), "mailings:sent"),
    (_("Oudergesprekken"), "conferences:round_list"),
    (_("Toestemming beeldmateriaal"), "families:consent_groups"),
]
# The "Beheer" menu: (label, URL name, who sees it).
ADMIN_MENU = [
    (_("Import"), "schools:import_upload", "administrator"),
    (_("Uitnodigingen"), "accounts:invitations", "administrator"),
    (_("Logboek"), "audit:log", "manager"),
    (_("AVG-verzoeken"), "privacy:requests", "administrator"),
    (_("Wijzigingen van ouders"), "families:changes", "administrator"),
    (_("Toestemming vragen"), "families:consent_admin", "administrator"),
    (_("Gezag en toegang"), "families:restrictions", "manager"),
    (_("Beveiliging"), "accounts:security", "manager"),
    (_("E-mailinstellingen"), "mailings:email_settings", "administrator"),
]


# The parent portal's menu, shown on the portal dashboard.
PORTAL_MENU = [
    (_("Berichten"), "mailings:portal_list"),
    (_("Speciale groepen"), "specialgroups:portal_list"),
    (_("Oudergesprekken"), "conferences:portal"),
    (_("Toestemming beeldmateriaal"), "families:consent"),
    (_("Mijn gegevens"), "families:my_details"),
]


def _resolved(items):
    menu = []
    for label, name in items:
        try:
            menu.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    return menu


def school_choices(request) -> list:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.session.get(MULTI_SCHOOL_KEY):
        return []
    from audit.services import schools_of_user

    return schools_of_user(user)


def navigation(request):
    current = getattr(request, "staff", None) or getattr(request, "parent", None)
    context = {
        "school_choices": school_choices(request),
        "current_school": current.school if current is not None else None,
    }
    if getattr(request, "parent", None) is not None and getattr(request, "staff", None) is None:
        return {**context, "portal_menu": _resolved(PORTAL_MENU)}
    staff = getattr(request, "staff", None)
    if staff is None:
        return context
    context["staff_menu"] = _resolved(STAFF_MENU)
    if staff.is_manager:
        allowed = {"manager", "administrator"} if staff.is_administrator else {"manager"}
        items = [(label, name) for label, name, who in ADMIN_MENU if who in allowed]
        context["admin_menu"] = _resolved(items)
    return context
