"""Development only (the demo app is installed with OCS_DEBUG): read the mail the demo's local
SMTP sink received (`manage.py mailsink`). Public by design: it serves the demo, never a school."""

import email
from email import policy
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from schools.access import public


def _messages_dir() -> Path:
    return Path(settings.OCS_MAILSINK_DIR)


def _read(path: Path):
    with path.open("rb") as handle:
        return email.message_from_binary_file(handle, policy=policy.default)


@public
def mail_list(request: HttpRequest) -> HttpResponse:
    folder = _messages_dir()
    files = sorted(folder.glob("*.eml"), reverse=True)[:200] if folder.exists() else []
    items = []
    for path in files:
        message = _read(path)
        items.append(
            {
                "name": path.stem,
                "subject": message["subject"],
                "to": message["to"],
                "from": message["from"],
                "date": message["date"],
            }
        )
    return render(request, "demo/mail_list.html", {"items": items})


@public
def mail_detail(request: HttpRequest, name: str) -> HttpResponse:
    path = _messages_dir() / f"{name}.eml"
    if "/" in name or not path.is_file():
        raise Http404
    message = _read(path)
    body = message.get_body(preferencelist=("plain",))
    attachments = [part.get_filename() for part in message.iter_attachments()]
    return render(
        request,
        "demo/mail_detail.html",
        {
            "message": message,
            "headers": list(message.items()),
            "text": body.get_content() if body else "",
            "attachments": attachments,
        },
    )
