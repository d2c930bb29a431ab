from uuid import UUID

from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsTenantPrincipal, principal_required
from apps.accounts.serializers import PersonSerializer
from apps.core.fields import ItemsField, StrictSerializer, UniqueItemsValidator
from apps.core.openapi import error_response
from apps.core.pagination import OffsetParams, offset_envelope, offset_page, offset_parameters
from apps.core.params import MAX_ID
from apps.files import selectors, services
from apps.files.models import File
from apps.files.serializers import FileImagesSerializer
from apps.files.validation import CONTENT_TYPE_PATTERN
from apps.tenants.request import tenant_of

CONFLICT = "The upload is not open for this (aborted, rejected, complete, or one PUT)."
INITIATE_REFUSED = (
    "The name is refused (`file_name_refused`: control characters, / or \\, . or .., more "
    "than 255 characters), it or the type is not one allowed here "
    "(`file_type_not_allowed`), the file is larger than the plan takes (`file_too_large`), "
    "or it does not fit the company's storage (`quota_exceeded`)."
)
PARTS_UNAVAILABLE = (
    "`parts_unavailable`: the store cannot list the parts now (it failed, after retries); "
    "the upload stays open: send again every part you have no confirmation (a 200 with an "
    "ETag) for, then complete."
)
UPLOAD_GONE = (
    "`upload_gone`: the store no longer has this upload (aborted or lost there); Kura has "
    "aborted it and given its room in the quota back: begin a new upload of the file."
)
STORE_UNAVAILABLE = error_response(
    "`store_unavailable`: the store failed or did not answer (after retries); nothing was "
    "changed: send the same request again after `Retry-After` seconds."
)
# A Content-MD5 header: the base64 of 16 bytes (around whitespace the field trims).
MD5_PATTERN = r"^\s*[A-Za-z0-9+/]{22}==\s*$"


class FileSerializer(FileImagesSerializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    declared_type = serializers.CharField()
    detected_type = serializers.CharField()
    state = serializers.ChoiceField(choices=File.State.choices)
    reason = serializers.CharField()
    method = serializers.ChoiceField(choices=File.Method.choices)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    uploader = PersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    uploaded_at = serializers.DateTimeField(allow_null=True)
    processed_at = serializers.DateTimeField(allow_null=True)


class PartUrlSerializer(serializers.Serializer):
    part_number = serializers.IntegerField()
    url = serializers.URLField()
    headers = serializers.DictField(
        child=serializers.CharField(), help_text=_("Send these headers with the PUT.")
    )


class StoredPartSerializer(serializers.Serializer):
    part_number = serializers.IntegerField(source="number")
    size = serializers.IntegerField()
    etag = serializers.CharField()


class CompletedPartSerializer(StrictSerializer):
    part_number = serializers.IntegerField(min_value=1, max_value=settings.FILES_MAX_PARTS)
    etag = serializers.CharField(max_length=100)


class UploadInitiateApi(APIView):
    """Begin an upload. Up to 16 MiB: one pre-signed PUT (`url`; send the `headers` with
    it). Larger: a multipart upload of `part_count` parts of `part_size` bytes (the last
    one shorter), whose URLs `POST /api/upload/{id}/parts` gives."""

    permission_classes = [IsTenantPrincipal]

    class InputSerializer(StrictSerializer):
        name = serializers.CharField(max_length=1000, trim_whitespace=False)
        size = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=_("Bytes."))
        content_type = serializers.CharField(
            max_length=255,
            allow_blank=True,
            validators=[
                RegexValidator(CONTENT_TYPE_PATTERN, _("Give a MIME type such as image/jpeg."))
            ],
            help_text=_("As the browser knows it; empty when it does not."),
        )

    class OutputSerializer(serializers.Serializer):
        file_id = serializers.UUIDField(source="file.id")
        method = serializers.ChoiceField(choices=File.Method.choices, source="file.method")
        url = serializers.URLField(allow_null=True)
        headers = serializers.DictField(child=serializers.CharField())
        part_size = serializers.IntegerField(source="file.part_size", allow_null=True)
        part_count = serializers.IntegerField(source="file.part_count", allow_null=True)
        expires_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="upload_initiate",
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            409: error_response(
                "`too_many_open_uploads`: finish or cancel your open uploads first."
            ),
            422: error_response(INITIATE_REFUSED),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.upload_initiate(
            tenant=tenant_of(request),
            actor=principal_required(request),
            **data.validated_data,
        )
        return Response(self.OutputSerializer(ticket).data, status=status.HTTP_201_CREATED)


def _upload(request: Request, file_id: UUID) -> File:
    return selectors.upload_get(actor=principal_required(request), file_id=file_id)


class UploadPartsApi(APIView):
    """The parts of your multipart upload: URLs to PUT them to (POST), or the parts the
    store already has (GET), to resume from another page load or device."""

    permission_classes = [IsTenantPrincipal]

    class InputSerializer(StrictSerializer):
        part_numbers = ItemsField(
            child=serializers.IntegerField(min_value=1, max_value=settings.FILES_MAX_PARTS),
            min_length=1,
            max_length=settings.FILES_PART_URLS_PER_CALL,
            validators=[UniqueItemsValidator(_("Ask for each part once."))],
        )
        md5s = ItemsField(
            child=serializers.CharField(
                validators=[
                    RegexValidator(MD5_PATTERN, _("Give each MD5 as the base64 of its 16 bytes."))
                ]
            ),
            required=False,
            max_length=settings.FILES_PART_URLS_PER_CALL,
            help_text=_("Base64 MD5 of each part, in the order of part_numbers."),
        )

    class UrlsOutputSerializer(serializers.Serializer):
        parts = PartUrlSerializer(many=True)
        expires_at = serializers.DateTimeField()

    class ListOutputSerializer(serializers.Serializer):
        file_id = serializers.UUIDField(source="pk")
        part_size = serializers.IntegerField()
        part_count = serializers.IntegerField()
        parts = StoredPartSerializer(many=True)

    @extend_schema(
        operation_id="upload_parts_sign",
        request=InputSerializer,
        responses={
            200: UrlsOutputSerializer,
            409: error_response(CONFLICT),
            422: error_response(
                "A part number past this upload's parts, or not one MD5 for each part number."
            ),
            503: STORE_UNAVAILABLE,
        },
    )
    def post(self, request: Request, file_id: UUID) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        urls = services.upload_part_urls(
            file=_upload(request, file_id), actor=principal_required(request), **data.validated_data
        )
        return Response(self.UrlsOutputSerializer(urls).data)

    @extend_schema(
        operation_id="upload_parts_list",
        responses={
            200: ListOutputSerializer,
            409: error_response(f"{CONFLICT} Or {PARTS_UNAVAILABLE} Or {UPLOAD_GONE}"),
        },
    )
    def get(self, request: Request, file_id: UUID) -> Response:
        file = _upload(request, file_id)
        parts = services.upload_parts_list(file=file, actor=principal_required(request))
        data = {"pk": file.pk, "part_size": file.part_size, "part_count": file.part_count}
        return Response(self.ListOutputSerializer({**data, "parts": parts}).data)


class UploadAbortApi(APIView):
    """Abort your upload that has not completed: its room in the quota is given back at
    once, and the store drops what it received (or, when the store fails, the hourly
    sweep does)."""

    permission_classes = [IsTenantPrincipal]

    @extend_schema(
        operation_id="upload_abort",
        responses={200: FileSerializer, 409: error_response("The upload already completed.")},
    )
    def delete(self, request: Request, file_id: UUID) -> Response:
        file = services.upload_abort(
            file=_upload(request, file_id), actor=principal_required(request)
        )
        return Response(FileSerializer(file).data)


class UploadCompleteApi(APIView):
    """Finish your upload. The store's copy is checked (size, real type from its first bytes
    against the name's extension) before the file is `uploaded` and scanned. Completing
    again answers the same. Missing or wrong parts: 409 `upload_incomplete`, the upload
    stays open; a file that is not what was declared: 422 `upload_rejected`, it is gone."""

    permission_classes = [IsTenantPrincipal]
    # Up to FILES_MAX_PARTS parts, each `{"part_number": …, "etag": …}` in 200 bytes.
    max_body_bytes = settings.FILES_MAX_PARTS * 200

    class InputSerializer(StrictSerializer):
        file_id = serializers.UUIDField()
        parts = ItemsField(
            child=CompletedPartSerializer(),
            required=False,
            max_length=settings.FILES_MAX_PARTS,
            help_text=_("The parts as the client sent them (checked against the store's)."),
        )

    @extend_schema(
        operation_id="upload_complete",
        request=InputSerializer,
        responses={
            200: FileSerializer,
            404: error_response("No upload of yours has this file_id."),
            409: error_response(
                f"{CONFLICT} Or the store does not have the whole file yet "
                "(`upload_incomplete`): send what is missing and complete again. Or "
                f"{PARTS_UNAVAILABLE} Or {UPLOAD_GONE}"
            ),
            422: error_response(
                "The file is not what was declared (`upload_rejected`, its size or real "
                "type): it is gone."
            ),
            503: STORE_UNAVAILABLE,
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data.get("parts")
        parts = None if given is None else [services.PartRef(**part) for part in given]
        file = services.upload_complete(
            tenant=tenant_of(request),
            file=_upload(request, data.validated_data["file_id"]),
            actor=principal_required(request),
            parts=parts,
        )
        return Response(FileSerializer(file).data)


class FileListApi(APIView):
    """The company's files, newest first, a page at a time; aborted uploads only when asked
    for with `state`."""

    permission_classes = [IsTenantPrincipal]

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=File.State.choices, required=False)
        type = serializers.CharField(
            max_length=100,
            required=False,
            help_text=_("A detected MIME type (application/pdf) or its top level (image)."),
        )

    @extend_schema(
        operation_id="files_list",
        parameters=[FilterSerializer, *offset_parameters()],
        responses=offset_envelope(FileSerializer),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = OffsetParams.from_query(request.query_params)
        files = selectors.file_list(
            actor=principal_required(request),
            state=filters.validated_data.get("state"),
            type_=filters.validated_data.get("type"),
        )
        return Response(offset_envelope(FileSerializer)(offset_page(files, params=params)).data)


def _file(request: Request, file_id: UUID) -> File:
    return selectors.file_get(actor=principal_required(request), file_id=file_id)


class FileDetailApi(APIView):
    """One of the company's files (GET), or delete it and its objects (DELETE: its uploader,
    owners and admins)."""

    permission_classes = [IsTenantPrincipal]

    @extend_schema(operation_id="files_detail", responses=FileSerializer)
    def get(self, request: Request, file_id: UUID) -> Response:
        return Response(FileSerializer(_file(request, file_id)).data)

    @extend_schema(operation_id="files_delete", responses={204: None})
    def delete(self, request: Request, file_id: UUID) -> Response:
        services.file_delete(file=_file(request, file_id), actor=principal_required(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FileDownloadApi(APIView):
    """A short-lived URL that downloads a ready file as an attachment."""

    permission_classes = [IsTenantPrincipal]

    class OutputSerializer(serializers.Serializer):
        url = serializers.URLField()
        expires_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="files_download",
        responses={
            200: OutputSerializer,
            409: error_response("The file is not ready (uploading, scanning, infected…)."),
        },
    )
    def get(self, request: Request, file_id: UUID) -> Response:
        download = services.file_download(
            file=_file(request, file_id), actor=principal_required(request)
        )
        return Response(self.OutputSerializer(download).data)
