from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsTenantPerson
from apps.notifications import selectors, services


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationListApi(APIView):
    """Your notifications in this company, newest first (at most `limit`, default 50)."""

    permission_classes = [IsTenantPerson]

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False, default=False)
        limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=200)

    class OutputSerializer(serializers.Serializer):
        unread = serializers.IntegerField()
        results = NotificationSerializer(many=True)

    @extend_schema(
        operation_id="notifications_list", parameters=[FilterSerializer], responses=OutputSerializer
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user = request.user
        notifications = selectors.notification_list(
            user=user,  # type: ignore[arg-type]
            unread_only=filters.validated_data["unread"],
        )
        data = {
            "unread": selectors.notification_unread_count(user=user),  # type: ignore[arg-type]
            "results": notifications[: filters.validated_data["limit"]],
        }
        return Response(self.OutputSerializer(data).data)


class NotificationReadApi(APIView):
    """Mark one notification read."""

    permission_classes = [IsTenantPerson]

    @extend_schema(
        operation_id="notifications_read", request=None, responses=NotificationSerializer
    )
    def post(self, request: Request, notification_id: int) -> Response:
        notification = selectors.notification_get(
            user=request.user,  # type: ignore[arg-type]
            notification_id=notification_id,
        )
        if notification is None:
            raise Http404
        services.notification_mark_read(
            notification=notification,
            actor=request.auth,  # type: ignore[arg-type] # a Principal, by the permissions
        )
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllApi(APIView):
    """Mark all your notifications in this company read."""

    permission_classes = [IsTenantPerson]

    @extend_schema(operation_id="notifications_read_all", request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.notifications_mark_all_read(user=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
