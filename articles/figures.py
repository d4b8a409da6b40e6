"""Images in the Markdown body: figures with captions, and size hints.

An image alone in its paragraph with a title, `![alt](url "caption")`,
becomes `<figure><img …><figcaption>caption</figcaption></figure>`; the
caption may hold emphasis, links and citations. Any other image stays where
it is, inline. Images from our own media also get their width, height, lazy
loading and `srcset`, read from their names (`articles.images`).
"""

from markdown_it import MarkdownIt
from markdown_it.token import Token

from articles.images import display_attributes


def _lone_image(tokens: list[Token], index: int) -> Token | None:
    """The image that is the whole of the paragraph opening at `index`."""
    token = tokens[index]
    if token.type != "paragraph_open" or token.hidden or index + 2 >= len(tokens):
        return None
    children = tokens[index + 1].children or []
    if len(children) == 1 and children[0].type == "image":
        return children[0]
    return None


def make_figures(md: MarkdownIt, tokens: list[Token]) -> None:
    """Turn each captioned image alone in its paragraph into a figure, in place."""
    for index in range(len(tokens) - 3, -1, -1):
        image = _lone_image(tokens, index)
        caption = str(image.attrGet("title") or "").strip() if image else ""
        if not caption:
            continue
        del image.attrs["title"]
        tokens[index].tag = tokens[index + 2].tag = "figure"
        opening = Token("figcaption_open", "figcaption", 1, block=True)
        text = Token("inline", "", 0, content=caption)
        text.children = md.parseInline(caption)[0].children
        closing = Token("figcaption_close", "figcaption", -1, block=True)
        tokens[index + 2 : index + 2] = [opening, text, closing]


def describe_own_images(tokens: list[Token]) -> None:
    """Size hints, lazy loading and a srcset for images from our own media,
    read from their names; the cleaner still checks every value."""
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                src = str(child.attrGet("src") or "")
                for name, value in display_attributes(src).items():
                    child.attrSet(name, value)
