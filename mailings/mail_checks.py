"""What "Beheer → E-mailinstellingen" checks: everything about signed mail and bounces that
can be known without the network (no DNS look-ups), for one school."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from mailings.dkim import (
    ADVISED_BITS,
    MIN_BITS,
    DkimKeyError,
    address_domain,
    aligned,
    dkim_configured,
    load_key,
    signing_domain,
)
from schools.models import School

OK, WARN, BAD = "ok", "wait", "bad"  # the page's status colours


@dataclass
class Check:
    label: str
    state: str
    text: str


@dataclass
class DnsRecord:
    label: str
    name: str
    value: str
    # TXT strings hold at most 255 characters: the same value split for zone files.
    zone_value: str


@dataclass
class MailChecks:
    from_address: str
    checks: list[Check] = field(default_factory=list)
    records: list[DnsRecord] = field(default_factory=list)

    @property
    def all_ok(self) -> bool:
        return all(check.state == OK for check in self.checks)


def _zone(value: str, size: int = 250) -> str:
    return " ".join(f'"{value[i : i + size]}"' for i in range(0, len(value), size))


def mail_checks(*, school: School) -> MailChecks:
    from_address = school.from_email
    from_domain = address_domain(from_address)
    result = MailChecks(from_address=from_address)
    add = result.checks.append
    key = None

    key_file = settings.OCS_DKIM_KEY_FILE
    if not key_file:
        add(Check(_("DKIM-sleutel"), BAD, _("Geen sleutel ingesteld (OCS_DKIM_KEY_FILE).")))
    else:
        try:
            key = load_key()
        except DkimKeyError as error:
            add(
                Check(
                    _("DKIM-sleutel"),
                    BAD,
                    _("De sleutel in %(file)s is niet te gebruiken (%(error)s).")
                    % {"file": key_file, "error": error},
                )
            )
        else:
            add(Check(_("DKIM-sleutel"), OK, _("Gelezen uit %(file)s.") % {"file": key_file}))
            if key.bits >= ADVISED_BITS:
                state, text = OK, _("%(bits)s bits.")
            elif key.bits >= MIN_BITS:
                state, text = WARN, _("%(bits)s bits: werkt nog, maar 2048 bits wordt aangeraden.")
            else:
                state, text = BAD, _("%(bits)s bits: te kort, ontvangers negeren de handtekening.")
            add(Check(_("Sleutellengte"), state, text % {"bits": key.bits}))

    selector = settings.OCS_DKIM_SELECTOR
    if selector:
        add(Check(_("Selector"), OK, selector))
    else:
        add(Check(_("Selector"), BAD, _("Geen selector ingesteld (OCS_DKIM_SELECTOR).")))

    dkim_domain = signing_domain(from_address)
    if aligned(from_domain, dkim_domain):
        state = OK
        text = _(
            "Mail van %(from)s wordt ondertekend voor %(dkim)s: dat past bij het "
            "afzenderdomein, dus DMARC kan slagen via DKIM."
        )
    else:
        state = BAD
        text = _(
            "Mail van %(from)s wordt ondertekend voor %(dkim)s: dat past niet bij het "
            "afzenderdomein, dus DMARC slaagt niet via DKIM."
        )
    add(
        Check(
            _("Afzenderdomein en DKIM-domein"),
            state,
            text % {"from": from_domain, "dkim": dkim_domain},
        )
    )
    if not dkim_configured():
        add(
            Check(_("Ondertekenen"), BAD, _("Uit: mail gaat zonder DKIM-handtekening de deur uit."))
        )

    bounce_domain = settings.OCS_BOUNCE_DOMAIN
    if bounce_domain:
        add(
            Check(
                _("Bounce-domein"),
                OK,
                _("Retouradressen bounces+…@%(domain)s; onbestelbare mail wordt herkend.")
                % {"domain": bounce_domain},
            )
        )
        if not aligned(from_domain, bounce_domain.lower()):
            add(
                Check(
                    _("SPF en DMARC"),
                    WARN,
                    _(
                        "SPF wordt gecontroleerd voor %(bounce)s, niet voor %(from)s: voor "
                        "DMARC telt dan alleen DKIM."
                    )
                    % {"bounce": bounce_domain, "from": from_domain},
                )
            )
    else:
        add(
            Check(
                _("Bounce-domein"),
                WARN,
                _(
                    "Niet ingesteld (OCS_BOUNCE_DOMAIN): onbestelbare mail wordt niet "
                    "herkend, en het retouradres is het adres van de school."
                ),
            )
        )

    if key is not None and selector:
        result.records.append(
            DnsRecord(
                _("DKIM (TXT)"),
                f"{selector}._domainkey.{dkim_domain}",
                key.dns_record,
                _zone(key.dns_record),
            )
        )
    dmarc = f"v=DMARC1; p=none; rua=mailto:{from_address}"
    result.records.append(
        DnsRecord(_("DMARC om mee te beginnen (TXT)"), f"_dmarc.{from_domain}", dmarc, _zone(dmarc))
    )
    return result
