"""Output of files shared by every API that shows them (files, post attachments, product
images)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.openapi import NULLABLE_URL
from apps.files import selectors
from apps.files.models import File


class FileImagesSerializer(serializers.Serializer):
    """The images Kura made of a ready image, as short-lived URLs (null otherwise)."""

    display_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    @extend_schema_field(NULLABLE_URL)
    def get_display_url(self, file: File) -> str | None:
        """The 800x600 display image."""
        return selectors.image_url(file=file, key=file.display_key)

    @extend_schema_field(NULLABLE_URL)
    def get_thumbnail_url(self, file: File) -> str | None:
        """The 200x200 thumbnail."""
        return selectors.image_url(file=file, key=file.thumbnail_key)
