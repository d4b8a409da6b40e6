"""Importing references in the admin: upload or paste, preview, confirm.

The preview keeps the upload server-side (a PendingImport) and the confirm
form carries only a signed token, so file size never matters to it. An
import of more than `HEALTH_BACKGROUND_IMPORT_OVER` records (500 by default)
runs as a background task, and the uploader watches its status page.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from references.formatting import format_reference
from references.importers import FORMATS, ImportFormatError, parse
from references.library import apply_import, citation_keys, plan_import
from references.models import PendingImport, PendingImportError
from references.tasks import import_pending
from siteconf.admin_input import RefusesNul
from siteconf.background import enqueue_after_commit

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def background_threshold() -> int:
    """Imports of more records than this run as a background task."""
    return getattr(settings, "HEALTH_BACKGROUND_IMPORT_OVER", 500)


class ImportForm(RefusesNul, forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "BibTeX (.bib), RIS (.ris), CSL-JSON (.json) or PubMed (.nbib), "
            "up to 20 MB."
        ),
    )
    text = forms.CharField(
        label=_("Or paste the records"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
        help_text=format_lazy(
            _("Up to {size}; upload a file for anything larger."),
            size=filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Detect automatically")), *FORMATS],
        required=False,
    )

    def clean(self):
        """Read the upload or paste, then parse, validate and plan every record."""
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(
                    _(
                        "The file is %(size)s; the limit is %(limit)s. Split it "
                        "into smaller files and import them one by one."
                    )
                    % {
                        "size": filesizeformat(upload.size),
                        "limit": filesizeformat(MAX_UPLOAD_BYTES),
                    }
                )
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text; save it as UTF-8 and try again.")
                ) from None
            if "\x00" in cleaned["text"]:
                raise forms.ValidationError(
                    _("The file contains NUL characters, so it is not a text file.")
                )
        if not cleaned.get("text", "").strip():
            raise forms.ValidationError(_("Choose a file or paste some records."))
        try:
            records = parse(cleaned["text"], cleaned.get("format") or None)
            cleaned["plan"] = plan_import(records)
            cleaned["count"] = len(records)
        except ImportFormatError as error:
            raise forms.ValidationError(
                _("%(error)s Nothing was imported.") % {"error": error}
            ) from None
        return cleaned


class ImportReferences:
    """Mixed into ReferenceAdmin: the import page at references/reference/import/."""

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="references_reference_import",
            ),
            path(
                "import/<int:pk>/",
                self.admin_site.admin_view(self.import_status_view),
                name="references_reference_import_status",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload or paste, preview what will be created, then confirm.

        The preview keeps the upload server-side (a PendingImport) and the
        confirm form carries only a signed token, so file size never matters
        to the confirmation.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        PendingImport.objects.expired().delete()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import references"),
            "form": ImportForm(),
        }
        if request.method == "POST" and "token" in request.POST:
            return self._confirm_import(request, context)
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                plan = form.cleaned_data["plan"]
                keys = citation_keys(plan.new)
                context.update(
                    plan=plan,
                    preview=[
                        (r, format_reference(r), key)
                        for r, key in zip(plan.new, keys, strict=True)
                    ],
                )
                if plan.new:
                    pending = PendingImport.objects.create(
                        created_by=request.user,
                        format=form.cleaned_data.get("format") or "",
                        text=form.cleaned_data["text"],
                        total=form.cleaned_data["count"],
                    )
                    context["token"] = pending.token
                    context["background"] = pending.total > background_threshold()
        return TemplateResponse(
            request, "admin/references/reference/import.html", context
        )

    def _confirm_import(self, request, context):
        """Import a previewed upload all or nothing, once, for its uploader only:
        here if it is small, in a background task if it is large."""
        try:
            pending = PendingImport.for_token(request.POST["token"], request.user)
            if pending.total > background_threshold():
                return self._queue_import(pending)
            with transaction.atomic():
                # Claiming first: a second confirmation of the same preview
                # finds it claimed and imports nothing.
                if not pending.claim():
                    raise PendingImportError(_("This import was already confirmed."))
                plan = plan_import(parse(pending.text, pending.format or None))
                created = apply_import(plan)
                pending.delete()
        except (PendingImportError, ImportFormatError) as error:
            context["error"] = _("%(error)s Nothing was imported.") % {"error": error}
            return TemplateResponse(
                request, "admin/references/reference/import.html", context
            )
        except IntegrityError:
            # A concurrent import stored one of these DOIs or PMIDs after the plan.
            context["error"] = _(
                "Someone else imported some of these references just now. Nothing "
                "was imported; upload the file again to see what is still new."
            )
            return TemplateResponse(
                request, "admin/references/reference/import.html", context
            )
        self.message_user(
            request,
            _("Imported %(n)s reference(s); %(d)s duplicate(s) skipped.")
            % {"n": len(created), "d": len(plan.duplicates)},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:references_reference_changelist"))

    def _queue_import(self, pending):
        if not pending.claim():
            raise PendingImportError(_("This import was already confirmed."))
        enqueue_after_commit(import_pending, pending.pk)
        return HttpResponseRedirect(
            reverse("admin:references_reference_import_status", args=[pending.pk])
        )

    def import_status_view(self, request, pk: int):
        """Where a background import stands: queued, running, done or failed."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        pending = PendingImport.objects.filter(pk=pk).first()
        if pending is None or pending.created_by_id != request.user.pk:
            raise Http404(_("No such import."))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import references: %(status)s")
            % {"status": pending.get_status_display()},
            "pending": pending,
        }
        return TemplateResponse(
            request, "admin/references/reference/import_status.html", context
        )
