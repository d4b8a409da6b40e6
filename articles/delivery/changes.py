"""The public pages a change touches, as the purges and listings name them."""

from dataclasses import dataclass, field


@dataclass
class PageChange:
    """The public pages a transition changed: articles, topics, contributors.
    The home page, the feeds, the sitemap and search change with any of them."""

    article_ids: set[int] = field(default_factory=set)
    topic_ids: set[int] = field(default_factory=set)
    contributor_ids: set[int] = field(default_factory=set)

    def __or__(self, other: "PageChange") -> "PageChange":
        return PageChange(
            self.article_ids | other.article_ids,
            self.topic_ids | other.topic_ids,
            self.contributor_ids | other.contributor_ids,
        )
