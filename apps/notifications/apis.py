from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsTenantPerson, principal_required
from apps.core.pagination import CursorParams, cursor_envelope, cursor_page, cursor_parameters
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
    """Your notifications in this company, newest first, a page at a time (a feed: follow
    `next_cursor`), with how many are unread."""

    permission_classes = [IsTenantPerson]

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False, default=False)

    class OutputSerializer(cursor_envelope(NotificationSerializer)):  # type: ignore[misc]
        unread = serializers.IntegerField(help_text=_("How many of yours are unread, in all."))

    @extend_schema(
        operation_id="notifications_list",
        parameters=[FilterSerializer, *cursor_parameters()],
        responses=OutputSerializer,
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = CursorParams.from_query(request.query_params)
        actor = principal_required(request)
        unread = filters.validated_data["unread"]
        page = cursor_page(
            selectors.notification_list(actor=actor, unread_only=unread),
            params=params,
            endpoint="notifications_list",
            ordering=selectors.NOTIFICATION_ORDERING,
            filters={"unread": unread},
        )
        count = selectors.notification_unread_count(actor=actor)
        return Response(self.OutputSerializer({**vars(page), "unread": count}).data)


class NotificationReadApi(APIView):
    """Mark one notification read."""

    permission_classes = [IsTenantPerson]

    @extend_schema(
        operation_id="notifications_read", request=None, responses=NotificationSerializer
    )
    def post(self, request: Request, notification_id: int) -> Response:
        actor = principal_required(request)
        notification = selectors.notification_get(actor=actor, notification_id=notification_id)
        if notification is None:
            raise Http404
        services.notification_mark_read(notification=notification, actor=actor)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllApi(APIView):
    """Mark all your notifications in this company read."""

    permission_classes = [IsTenantPerson]

    @extend_schema(operation_id="notifications_read_all", request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.notifications_mark_all_read(actor=principal_required(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
