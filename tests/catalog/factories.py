import factory

from apps.catalog.models import Product


class ProductFactory(factory.django.DjangoModelFactory):
    """A product row in the current company, without its outbox entry (product_create
    writes one for the search index)."""

    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05}")
