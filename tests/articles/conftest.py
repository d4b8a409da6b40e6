"""Fixtures the article tests share."""

import pytest


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the block's on-commit work (the purges) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def live_in_topic(live_article, topic, writer, reviewer, editor, commit):
    """A live article with a topic, published with its purge run."""
    live_article.topics.add(topic)
    live_article.save_revision(by=writer, change_class="update")
    live_article.submit_for_review(by=writer)
    live_article.approve(by=reviewer, change_class="update")
    with commit():
        live_article.publish(by=editor)
    return live_article
