"""Evidence checks in the admin: the record of every watcher's run, and the
findings on each reference's page. Written by the watchers only."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from references.models import EvidenceCheck
from siteconf.admin_input import RefusesBadInput


class ReadOnlyAdmin:
    """The watchers write these; people only read them, and whoever may see
    the references may see how they were checked."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("references.view_reference")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvidenceCheck)
class EvidenceCheckAdmin(ReadOnlyAdmin, RefusesBadInput, admin.ModelAdmin):
    list_display = [
        "source",
        "started_at",
        "finished_at",
        "result",
        "checked",
        "findings",
        "dataset",
    ]
    list_filter = ["source", "result"]
    fields = [
        "source",
        "reference",
        ("started_at", "finished_at"),
        "result",
        "error",
        "dataset",
        ("checked", "findings"),
        "notes",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reference")


def findings_list(reference) -> str:
    """The reference's findings, newest first, for its admin page (read only:
    a field, not an inline, so saving the reference posts nothing for them)."""
    findings = (
        list(reference.evidence_findings.order_by("-found_at")) if reference.pk else []
    )
    if not findings:
        return _("None.")
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            "<li>{}{} · {} · {}{}</li>",
            (
                (
                    finding.get_kind_display(),
                    f" ({finding.notice_date:%Y-%m-%d})" if finding.notice_date else "",
                    finding.get_source_display(),
                    f"found {finding.found_at:%Y-%m-%d %H:%M}",
                    format_html(
                        ' · <a href="{}" rel="noopener">{}</a>',
                        finding.link,
                        _("notice"),
                    )
                    if finding.link
                    else "",
                )
                for finding in findings
            ),
        ),
    )


def notice_link(finding) -> str:
    if not finding.link:
        return ""
    return format_html(
        ' · <a href="{}" rel="noopener">{}</a>', finding.link, _("notice")
    )
