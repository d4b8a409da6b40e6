from django.urls import path

from articles.public import (
    corrections,
    feedback,
    feeds,
    previews,
    search_counts,
    suggest,
    views,
)

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("articles/<slug:slug>/feedback/", feedback.feedback, name="feedback"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("contributors/<slug:slug>/", views.contributor_detail, name="contributor"),
    path("editorial-policy/", views.editorial_policy, name="editorial_policy"),
    path("corrections/", corrections.corrections, name="corrections"),
    path(
        "corrections/feed/",
        views.tagged(corrections.CorrectionsFeed(), ["corrections"]),
        name="corrections_feed",
    ),
    path("search/", views.search, name="search"),
    path("search/go/", search_counts.follow, name="search_go"),
    path("search/seen/", search_counts.seen, name="search_seen"),
    path("search/suggest/", suggest.suggest, name="suggest"),
    path("feed/", views.tagged(feeds.LatestArticlesFeed(), ["feeds"]), name="feed"),
    path(
        "feed/atom/",
        views.tagged(feeds.LatestArticlesAtomFeed(), ["feeds"]),
        name="feed_atom",
    ),
    path("preview/<str:token>/", previews.preview, name="preview"),
]
