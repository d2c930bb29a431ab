import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A product's images get an order (the first is the main image): the many-to-many's own
    table becomes the ProductImage model's, with a `position` column; rows there keep
    position 0 and their id order."""

    dependencies = [
        ("catalog", "0001_initial"),
        ("files", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "ALTER TABLE catalog_product_images ADD COLUMN position smallint "
                        "NOT NULL DEFAULT 0 CHECK (position >= 0)",
                        "ALTER TABLE catalog_product_images ALTER COLUMN position DROP DEFAULT",
                    ],
                    reverse_sql=["ALTER TABLE catalog_product_images DROP COLUMN position"],
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="ProductImage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "position",
                            models.PositiveSmallIntegerField(default=0, verbose_name="position"),
                        ),
                        (
                            "file",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="files.file",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="image_links",
                                to="catalog.product",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "product image",
                        "verbose_name_plural": "product images",
                        "db_table": "catalog_product_images",
                        "ordering": ["position", "id"],
                        "unique_together": {("product", "file")},
                    },
                ),
                migrations.AlterField(
                    model_name="product",
                    name="images",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        through="catalog.ProductImage",
                        to="files.file",
                        verbose_name="images",
                    ),
                ),
            ],
        ),
    ]
