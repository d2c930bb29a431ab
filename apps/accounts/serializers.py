"""Output about people shared by the APIs of other apps (authors, uploaders)."""

from rest_framework import serializers


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
