from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lib.csvread import ENCODING_LABELS
from schools.access import administrator_required, groups_for_staff, public, staff_required
from schools.forms import ImportForm
from schools.import_undo import UNDO_DAYS, UndoError, import_undo, import_undoable
from schools.importer import (
    UTF8_ADVICE,
    ImportNotConfirmed,
    ImportProblems,
    ImportStale,
    import_apply,
    import_plan,
    import_state,
    import_summary,
    mass_change_message,
)
from schools.models import ImportBatch, School, group_sort_key
from schools.signals import import_applied, import_undone


def encoding_note(*encodings: str) -> str:
    """How the files were read, when one of them was not UTF-8."""
    labels = [ENCODING_LABELS.get(e, e) for e in encodings if e and e != "utf_8"]
    return ", ".join(dict.fromkeys(labels))


@public
def home(request: HttpRequest) -> HttpResponse:
    schools = list(School.objects.all())
    if len(schools) == 1:
        return redirect("schools:school_home", slug=schools[0].slug)
    return render(request, "schools/home.html", {"schools": schools})


@public
def school_home(request: HttpRequest, slug: str) -> HttpResponse:
    school = get_object_or_404(School, slug=slug)
    return render(request, "schools/school_home.html", {"school": school})


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The leerkrachtendashboard."""
    groups = (
        groups_for_staff(request.staff)
        .annotate(
            pupil_count=Count("pupils", distinct=True),
            parent_count=Count(
                "pupils__parents", filter=Q(pupils__parents__is_blocked=False), distinct=True
            ),
        )
        .order_by("name")
    )
    groups = sorted(groups, key=lambda g: group_sort_key(g.name))
    return render(request, "schools/dashboard.html", {"groups": groups})


@administrator_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        pupils = form.cleaned_data["pupils_file"]
        staff = form.cleaned_data["staff_file"]
        staff_csv = staff.text if staff else ""
        try:
            import_plan(school=request.staff.school, pupils_csv=pupils.text, staff_csv=staff_csv)
        except ImportProblems as exc:
            problems = exc.problems
        else:
            batch = ImportBatch.objects.create(
                school=request.staff.school,
                uploaded_by=request.user,
                pupils_csv=pupils.text,
                staff_csv=staff_csv,
                pupils_encoding=pupils.encoding,
                staff_encoding=staff.encoding if staff else "",
            )
            return redirect("schools:import_preview", batch_id=batch.pk)
    context = {
        "form": form,
        "problems": problems,
        "undoable": import_undoable(school=request.staff.school),
        "undo_days": UNDO_DAYS,
    }
    return render(request, "schools/import_upload.html", context)


def _batch_for_staff(request: HttpRequest, batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.filter(
        pk=batch_id, school=request.staff.school, applied_at__isnull=True
    ).first()
    if batch is None:
        raise Http404
    return batch


@administrator_required
def import_preview(request: HttpRequest, batch_id: int) -> HttpResponse:
    done = ImportBatch.objects.filter(
        pk=batch_id, school=request.staff.school, applied_at__isnull=False
    )
    if done.exists():  # confirmed twice (a double click, a second tab): nothing more to do
        messages.info(request, _("Deze import is al verwerkt."))
        return redirect("schools:import_upload")
    batch = _batch_for_staff(request, batch_id)
    school = request.staff.school
    args = {
        "school": school,
        "pupils_csv": batch.pupils_csv,
        "staff_csv": batch.staff_csv,
        "actor_email": request.staff.email,
        "choices": {
            key.removeprefix("keuze-"): value
            for key, value in request.POST.items()
            if key.startswith("keuze-")
        },
        "restore": set(request.POST.getlist("terugzetten")),
    }
    name_error = ""
    try:
        if request.method == "POST":
            try:
                with transaction.atomic():
                    plan = import_apply(
                        **args,
                        confirm_name=request.POST.get("schoolnaam", ""),
                        batch=batch,
                        expected_state=request.POST.get("state"),
                    )
                    import_applied.send(
                        sender=ImportBatch,
                        request=request,
                        batch=batch,
                        summary=import_summary(plan),
                    )
            except ImportNotConfirmed:
                name_error = _(
                    "Typ de naam van de school precies zoals hierboven staat om door te gaan."
                )
            except ImportStale:
                if ImportBatch.objects.filter(pk=batch.pk, applied_at__isnull=False).exists():
                    messages.info(request, _("Deze import is al verwerkt."))
                    return redirect("schools:import_upload")
                messages.warning(
                    request,
                    _(
                        "Intussen is een andere import van deze school verwerkt of ongedaan "
                        "gemaakt. Er is niets gewijzigd; hieronder ziet u wat deze import nu "
                        "zou doen. Bevestig opnieuw als dat klopt."
                    ),
                )
            else:
                messages.success(request, _("De import is verwerkt."))
                return redirect("schools:import_upload")
        plan = import_plan(**args)
        plan.encoding_label = encoding_note(batch.pupils_encoding, batch.staff_encoding)
    except ImportProblems as exc:
        return render(
            request, "schools/import_upload.html", {"form": ImportForm(), "problems": exc.problems}
        )
    context = {
        "plan": plan,
        "batch": batch,
        "utf8_advice": UTF8_ADVICE,
        "mass_change": mass_change_message(school, plan.mass_change) if plan.mass_change else [],
        "name_error": name_error,
        "state": import_state(school),
    }
    return render(request, "schools/import_preview.html", context)


@administrator_required
def import_undo_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    """ "Import ongedaan maken": what would be put back, then (POST) put it back."""
    batch = ImportBatch.objects.filter(pk=batch_id, school=request.staff.school).first()
    if batch is None:
        raise Http404
    try:
        if request.method == "POST":
            with transaction.atomic():
                report = import_undo(batch=batch)
                import_undone.send(
                    sender=ImportBatch,
                    request=request,
                    batch=batch,
                    summary={"restored": len(report.restored), "kept": len(report.kept)},
                )
            messages.success(request, _("De import is ongedaan gemaakt."))
            return render(
                request,
                "schools/import_undo.html",
                {"batch": batch, "report": report, "done": True},
            )
        report = import_undo(batch=batch, dry_run=True)
    except UndoError as exc:
        messages.error(request, str(exc))
        return redirect("schools:import_upload")
    return render(request, "schools/import_undo.html", {"batch": batch, "report": report})
