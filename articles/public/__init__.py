"""The reader's site: pages, feeds, sitemaps, search and structured data.

Everything here reads `Article.objects.live()` and the live revision only.
"""
