"""What readers are served, and how it is kept fast and exact.

- `changes.py`: `PageChange`, the public pages a change touches;
- `prepared.py`: each live article's page, card and listings, prepared when
  it goes live, so a request only reads them;
- `structured_data.py`: JSON-LD, built with the prepared page (and for the
  home, topic and contributor pages);
- `search_index.py`: the search index, written by a task after each change;
- `page_cache.py`: cache keys, surrogate keys and purges, in the app's cache
  and in the proxies;
- `local_pages.py`: each process's own copies of the pages it serves most,
  kept exact by the purges.

It reads the models and writes what public pages read; the workflow calls it
when an article goes live or is withdrawn. It never imports the workflow, the
desk or the reader's site.
"""
