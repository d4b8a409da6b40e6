"""Read-only lists of revisions, reviews and the audit log, scoped like articles."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles.models import Article, AuditEntry, Review, Revision
from articles.roles import sees_every_article
from siteconf.admin_input import RefusesBadInput


class NoEditingAdmin(RefusesBadInput, admin.ModelAdmin):
    """Records nobody adds, changes or deletes through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ShowsProof:
    """A list column and a detail field saying how the signer proved it."""

    @admin.display(description=_("proved with"), ordering="proof_method")
    def proof_shown(self, obj) -> str:
        return obj.proof_text

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "proof_shown"]


class ReadOnlyAdmin(NoEditingAdmin):
    #: The lookup from this model to its article, for scoping writers.
    article_lookup = "article"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if sees_every_article(request.user):
            return queryset
        mine = Article.objects.editable_by(request.user).values("pk")
        return queryset.filter(**{f"{self.article_lookup}__in": mine})


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["article", "number", "created_by", "created_at", "change_note"]
    list_select_related = ["article", "created_by"]
    search_fields = ["article__title", "title"]
    exclude = ["cited_references"]


@admin.register(Review)
class ReviewAdmin(ShowsProof, ReadOnlyAdmin):
    list_display = [
        "revision",
        "decision",
        "reviewer_name",
        "full_review",
        "created_at",
        "proof_shown",
    ]
    list_filter = ["decision", "full_review", "proof_method"]
    list_select_related = ["revision"]
    article_lookup = "revision__article"


@admin.register(AuditEntry)
class AuditEntryAdmin(ShowsProof, ReadOnlyAdmin):
    list_display = [
        "created_at",
        "article",
        "action",
        "from_status",
        "to_status",
        "actor",
        "proof_shown",
    ]
    list_filter = ["action", "proof_method"]
    list_select_related = ["article", "actor"]
