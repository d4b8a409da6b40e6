"""Keep what depends on other records in step with them.

- When a reference changes, every article whose working revision cites it
  gets a new revision with the new formatted reference. That new revision has
  a new content hash, so a pending review or an approval no longer matches and
  the article needs review again. Live pages keep their frozen copy until then.
- When a topic or a contributor profile changes, its public page (and the
  home page, which lists the topics) is purged from the caches.
- A new comment on the text notifies the other side (articles/notifications.py).
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from articles import notifications
from articles.delivery import page_cache
from articles.delivery.changes import PageChange
from articles.models import Article, Contributor, ReviewComment, Topic
from references.models import Reference


def propagate_reference_change(reference_ids, by=None) -> int:
    """Re-snapshot the articles citing these references; return how many changed."""
    articles = Article.objects.filter(
        current_revision__cited_references__in=list(reference_ids)
    ).distinct()
    changed = 0
    for article in articles:
        revision = article.save_revision(
            by=by, note="Cited reference updated; needs review again"
        )
        changed += revision is not None
    return changed


@receiver(post_save, sender=Reference, dispatch_uid="articles.reference_saved")
def reference_saved(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    propagate_reference_change([instance.pk], by=getattr(instance, "changed_by", None))


@receiver(post_save, sender=Topic, dispatch_uid="articles.topic_saved")
def topic_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        page_cache.purge(PageChange(topic_ids={instance.pk}))


@receiver(post_save, sender=Contributor, dispatch_uid="articles.contributor_saved")
def contributor_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        page_cache.purge(PageChange(contributor_ids={instance.pk}))


@receiver(post_save, sender=ReviewComment, dispatch_uid="articles.comment_saved")
def comment_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        notifications.commented(instance)
