"""A product's main image as a thumbnail, where a product is listed (search results, the
cart): an `<img>` with the product's name as its `alt`, or nothing when it has no image.

    {% load product_images %}{% product_thumbnail product %}
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.catalog.models import Product
from apps.files.images import THUMBNAIL_SIDE
from apps.files.selectors import image_url

register = template.Library()


@register.simple_tag
def product_thumbnail(product: Product, size: int = 96) -> SafeString | str:
    files = product.image_files
    url = image_url(file=files[0], key=files[0].thumbnail_key) if files else None
    if url is None:
        return ""
    side = min(size, THUMBNAIL_SIDE)
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy" class="product-thumb"'
        ' data-testid="product-thumb">',
        url,
        product.name,
        side,
        side,
    )
