from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.tenants.selectors import tenant_current


class TenantDetailApi(APIView):
    """The company this host belongs to: what a client needs to show whose space it is in."""

    # The name is on the tenant's public sign-in page anyway.
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        name = serializers.CharField()
        slug = serializers.CharField()
        domain = serializers.CharField(source="domain_url")

    @extend_schema(operation_id="tenant_detail", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(tenant_current()).data)
