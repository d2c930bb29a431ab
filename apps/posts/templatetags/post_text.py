"""A post's body as a page shows it: escaped, its links clickable (Django's urlize), its
@mentions marked.

    {% load post_text %}<div class="post-body">{{ post.body|post_body }}</div>
"""

import re

from django import template
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

from apps.posts.services import MENTION

register = template.Library()

# urlize's links, left as they are: a mention is marked only in the text between them.
LINK = re.compile(r"(<a\s[^>]*>.*?</a>)", re.S)


@register.filter
def post_body(body: str) -> SafeString:
    html = urlize(body, nofollow=True, autoescape=True)
    parts = LINK.split(html)
    for i in range(0, len(parts), 2):  # the text between links (split keeps links at odd places)
        parts[i] = MENTION.sub(r'<span class="mention">\g<0></span>', parts[i])
    # The parts are urlize's escaped output; a mention adds only a span around its own text.
    return mark_safe("".join(parts))  # noqa: S308
