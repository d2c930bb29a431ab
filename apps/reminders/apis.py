from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsTenantPerson, IsTenantPrincipal, principal_required
from apps.core.fields import InRangeDateTimeField, StrictSerializer
from apps.core.openapi import error_response
from apps.core.pagination import OffsetParams, offset_envelope, offset_page, offset_parameters
from apps.reminders import selectors, services
from apps.reminders.models import Reminder
from apps.tenants.request import tenant_of

# A delay beyond the furthest a reminder may be set is refused here, before any date
# arithmetic on it (a big enough number overflows it).
MAX_DELAY_SECONDS = int(services.MAX_AHEAD.total_seconds())


class ReminderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    message = serializers.CharField()
    execute_at = serializers.DateTimeField(source="remind_at")
    status = serializers.ChoiceField(choices=Reminder.Status.choices)
    sent_at = serializers.DateTimeField(allow_null=True)


class ReminderListApi(APIView):
    """Your reminders in this company, latest first, a page at a time (GET), or a new one
    (POST): `{message, delay}` with the delay in seconds, or `{message, remind_at}`; never
    both."""

    permission_classes = [IsTenantPrincipal, IsTenantPerson]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Reminder.Status.choices, required=False)

    class InputSerializer(StrictSerializer):
        message = serializers.CharField(max_length=500)
        delay = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=MAX_DELAY_SECONDS,
            help_text=_("Seconds from now."),
        )
        remind_at = InRangeDateTimeField(required=False)

    # How the schema describes the input: one of the two forms (the service refuses both
    # or neither with 400).
    class DelayInputSerializer(StrictSerializer):
        message = serializers.CharField(max_length=500)
        delay = serializers.IntegerField(
            min_value=1, max_value=MAX_DELAY_SECONDS, help_text=_("Seconds from now.")
        )

    class TimeInputSerializer(StrictSerializer):
        message = serializers.CharField(max_length=500)
        remind_at = InRangeDateTimeField(help_text=_("In the future, at most a year ahead."))

    @extend_schema(
        operation_id="reminders_list",
        parameters=[FilterSerializer, *offset_parameters()],
        responses=offset_envelope(ReminderSerializer),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = OffsetParams.from_query(request.query_params)
        reminders = selectors.reminder_list(
            actor=principal_required(request),
            status=filters.validated_data.get("status"),
        )
        page = offset_page(reminders, params=params)
        return Response(offset_envelope(ReminderSerializer)(page).data)

    @extend_schema(
        operation_id="reminders_create",
        request=PolymorphicProxySerializer(
            component_name="ReminderCreate",
            serializers=[DelayInputSerializer, TimeInputSerializer],
            resource_type_field_name=None,
        ),
        responses={
            201: ReminderSerializer,
            422: error_response("The time is not in the future, or more than a year ahead."),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reminder = services.reminder_create(
            tenant=tenant_of(request),
            actor=principal_required(request),
            **data.validated_data,
        )
        return Response(ReminderSerializer(reminder).data, status=status.HTTP_201_CREATED)


class ReminderDetailApi(APIView):
    """One of your reminders (GET), or cancel it (DELETE: answers the cancelled reminder;
    409 once it was sent or cancelled)."""

    permission_classes = [IsTenantPrincipal, IsTenantPerson]

    def _get(self, request: Request, reminder_id: int) -> Reminder:
        reminder = selectors.reminder_get(
            actor=principal_required(request), reminder_id=reminder_id
        )
        if reminder is None:
            raise Http404
        return reminder

    @extend_schema(operation_id="reminders_detail", responses=ReminderSerializer)
    def get(self, request: Request, reminder_id: int) -> Response:
        return Response(ReminderSerializer(self._get(request, reminder_id)).data)

    @extend_schema(
        operation_id="reminders_cancel",
        responses={
            200: ReminderSerializer,
            409: error_response("The reminder was already sent, cancelled, or is being sent."),
        },
    )
    def delete(self, request: Request, reminder_id: int) -> Response:
        reminder = services.reminder_cancel(
            reminder=self._get(request, reminder_id),
            actor=principal_required(request),
        )
        return Response(ReminderSerializer(reminder).data)
