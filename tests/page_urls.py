"""The absolute URLs a public page gives of itself and its site: the canonical
link, og:url and og:image, and every @id, url, item, image and search
template in its JSON-LD."""

import json
import re

META = re.compile(
    r'<(?:link rel="canonical" href|meta property="og:(?:url|image)" content)="([^"]*)"'
)
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
URL_KEYS = {"@id", "url", "item", "image", "urlTemplate"}


def _walk(node, found: list[str], key: str = "") -> None:
    if isinstance(node, str):
        if key in URL_KEYS:
            found.append(node)
    elif isinstance(node, dict):
        for name, value in node.items():
            _walk(value, found, name)
    elif isinstance(node, list):
        for item in node:
            _walk(item, found, key)


def page_urls(html: str) -> list[str]:
    """Every such URL in `html`, in order."""
    found = META.findall(html)
    for block in JSON_LD.findall(html):
        _walk(json.loads(block), found)
    return found
