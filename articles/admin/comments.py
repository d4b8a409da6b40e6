"""Comments on the text: who may see and add them, adding, and resolving.

A comment is anchored to the passage the reviewer selected in the review
screen (the quote with a little text either side), on the revision shown.
Reviewers, the article's authors and editors see and add comments; a writer
only on their own articles. The writer, the commenter or an editor resolves.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from articles.models import Article, ReviewComment
from siteconf.admin_input import RefusesNul


def may_discuss(user, article: Article) -> bool:
    """Reviewers, and those who may edit the article (its authors, editors)."""
    return (
        user.is_active
        and user.is_staff
        and (user.has_perm("articles.review_article") or article.can_edit(user))
    )


def may_resolve(user, article: Article, comment: ReviewComment) -> bool:
    """The commenter, an author of the article or an editor."""
    return may_discuss(user, article) and (
        comment.author_id == user.pk or article.can_edit(user)
    )


def discussed_article(model_admin, request, object_id) -> Article:
    """The article, if this user may see its comments (404 or 403 otherwise)."""
    article = model_admin.get_object(request, object_id)
    if article is None:
        raise Http404
    if not may_discuss(request.user, article):
        raise PermissionDenied
    return article


class CommentForm(RefusesNul, forms.Form):
    # Not stripped: the quote and its context must match the text exactly.
    quote = forms.CharField(max_length=1000, strip=False)
    prefix = forms.CharField(max_length=64, required=False, strip=False)
    suffix = forms.CharField(max_length=64, required=False, strip=False)
    body = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_quote(self):
        quote = self.cleaned_data["quote"]
        if not quote.strip():
            raise forms.ValidationError(_("Select the passage you are commenting on."))
        return quote

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write your comment."))
        return body


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request, article: Article) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:articles_article_change", args=[article.pk])


def _refuse(request, article, message: str, status: int = 400):
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    messages.error(request, message)
    return HttpResponseRedirect(_back(request, article))


def comment_data(comment: ReviewComment, user, article: Article) -> dict:
    """What the review screen and the change form show of one comment."""
    return {
        "id": comment.pk,
        "quote": comment.quote,
        "prefix": comment.prefix,
        "suffix": comment.suffix,
        "body": comment.body,
        "author": _name(comment.author),
        "created": date_format(timezone.localtime(comment.created_at), "j M Y H:i"),
        "revision": comment.revision.number,
        "open": comment.is_open,
        "resolved_by": _name(comment.resolved_by) if comment.resolved_by_id else "",
        "resolve_url": reverse(
            "admin:articles_article_comment_resolve", args=[article.pk, comment.pk]
        )
        if comment.is_open and may_resolve(user, article, comment)
        else "",
    }


def _name(user) -> str:
    contributor = getattr(user, "contributor", None)
    if contributor is not None:
        return contributor.display_name
    return user.get_full_name() or user.get_username()


def comments_for(user, article: Article) -> list[dict]:
    """Every comment on the article, oldest first, as `comment_data` gives it."""
    comments = ReviewComment.objects.filter(article=article).select_related(
        "revision", "author__contributor", "resolved_by__contributor"
    )
    return [comment_data(c, user, article) for c in comments]


def add_comment(model_admin, request, object_id):
    """POST: a comment on a passage of the revision the screen showed."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = discussed_article(model_admin, request, object_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        problems = " ".join(e for errors in form.errors.values() for e in errors)
        return _refuse(request, article, problems)
    revision = article.current_revision
    if revision is None or revision.number != form.cleaned_data["revision"]:
        return _refuse(
            request,
            article,
            _(
                "The article was saved again since you opened it. Copy your "
                "comment, reload the page and comment on the new revision."
            ),
            status=409,
        )
    comment = ReviewComment.objects.create(
        article=article,
        revision=revision,
        author=request.user,
        quote=form.cleaned_data["quote"],
        prefix=form.cleaned_data["prefix"],
        suffix=form.cleaned_data["suffix"],
        body=form.cleaned_data["body"],
    )
    if _wants_json(request):
        return JsonResponse(comment_data(comment, request.user, article), status=201)
    messages.success(request, _("Your comment was added."))
    return HttpResponseRedirect(_back(request, article))


def resolve_comment(model_admin, request, object_id, comment_id):
    """POST: mark a comment resolved (the writer, the commenter or an editor)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = discussed_article(model_admin, request, object_id)
    comment = get_object_or_404(ReviewComment, pk=comment_id, article=article)
    if not may_resolve(request.user, article, comment):
        raise PermissionDenied
    # update(), not save(): resolving is not a new comment to notify anyone of,
    # and two people resolving at once leave the first one's name.
    ReviewComment.objects.filter(pk=comment.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=request.user
    )
    comment.refresh_from_db()
    if _wants_json(request):
        return JsonResponse(comment_data(comment, request.user, article))
    messages.success(
        request,
        _("Comment on “%(quote)s” resolved.") % {"quote": comment.quote[:60]},
    )
    return HttpResponseRedirect(_back(request, article))


def change_form_context(request, article: Article) -> dict:
    """For the change form: the open comments and the way to the review screen."""
    if article.pk is None or not may_discuss(request.user, article):
        return {}
    comments = [c for c in comments_for(request.user, article) if c["open"]]
    return {
        "review_screen_url": reverse(
            "admin:articles_article_review", args=[article.pk]
        ),
        "open_review_comments": comments,
        "review_comments_next": request.get_full_path(),
    }
