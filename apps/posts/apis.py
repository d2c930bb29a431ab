from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsTenantPrincipal, principal_required
from apps.accounts.serializers import PersonSerializer
from apps.core.fields import InRangeDateTimeField, ItemsField, StrictSerializer
from apps.core.openapi import error_response
from apps.core.pagination import any_style_envelope, any_style_parameters, page_data, paginate
from apps.core.params import MAX_ID
from apps.files.serializers import FileImagesSerializer
from apps.posts import selectors, services
from apps.posts.models import MAX_BODY, Post
from apps.posts.selectors import ORDERINGS
from apps.tenants.request import tenant_of

CONFLICT = "The post is not in a state that allows this (already published, or cancelled)."
ATTACHMENTS_REFUSED = "`attachment_ids` are not files of this company that are ready (scanned)."
TIME_REFUSED = (
    "`publish_at` is not in the future, or more than a year ahead; or `attachment_ids` are "
    "not files of this company that are ready (scanned)."
)


class PostAttachmentSerializer(FileImagesSerializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    detected_type = serializers.CharField()


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = PersonSerializer()
    body = serializers.CharField()
    state = serializers.ChoiceField(choices=Post.State.choices)
    attachments = PostAttachmentSerializer(many=True, source="attachments.all")
    publish_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)


def _attachment_ids() -> ItemsField:
    return ItemsField(
        child=serializers.UUIDField(),
        required=False,
        max_length=services.MAX_ATTACHMENTS,
        help_text=_("Files of this company that are ready (scanned)."),
    )


class PostListApi(APIView):
    """The company's feed (GET), or a new post (POST).

    The feed pages three ways: `?page=` (page numbers, with a total), `?cursor=` (the
    default: infinite scroll, `next_cursor`), or `?after=` (deep traversal and exports,
    `next_after`); one at a time. Published posts are ordered by when they were published;
    `state=draft|scheduled|cancelled` lists your own (scheduled soonest first)."""

    permission_classes = [IsTenantPrincipal]

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=Post.State.choices, default=Post.State.PUBLISHED)
        author = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
        since = InRangeDateTimeField(required=False, help_text=_("From this time on."))
        until = InRangeDateTimeField(required=False, help_text=_("Before this time."))

    class InputSerializer(StrictSerializer):
        body = serializers.CharField(max_length=MAX_BODY, trim_whitespace=True)
        attachment_ids = _attachment_ids()
        draft = serializers.BooleanField(
            default=False, help_text=_("Keep it as a draft instead of publishing it now.")
        )

    @extend_schema(
        operation_id="posts_list",
        parameters=[FilterSerializer, *any_style_parameters()],
        responses=any_style_envelope(PostSerializer),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        state = filters.validated_data["state"]
        posts = selectors.post_list(
            actor=principal_required(request),
            state=state,
            author_id=filters.validated_data.get("author"),
            since=filters.validated_data.get("since"),
            until=filters.validated_data.get("until"),
        )
        page = paginate(
            posts,
            request.query_params,
            endpoint="posts_list",
            ordering=ORDERINGS[state].fields,
            filters=filters.validated_data,
        )
        return Response(page_data(page, PostSerializer))

    @extend_schema(
        operation_id="posts_create",
        request=InputSerializer,
        responses={201: PostSerializer, 422: error_response(ATTACHMENTS_REFUSED)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_create(
            tenant=tenant_of(request),
            actor=principal_required(request),
            body=data.validated_data["body"],
            attachment_ids=data.validated_data.get("attachment_ids", []),
            draft=data.validated_data["draft"],
        )
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)


class PostScheduleApi(APIView):
    """A post published at `publish_at` (in the future, at most a year ahead), exactly once."""

    permission_classes = [IsTenantPrincipal]

    class InputSerializer(StrictSerializer):
        body = serializers.CharField(max_length=MAX_BODY, trim_whitespace=True)
        publish_at = InRangeDateTimeField()
        attachment_ids = _attachment_ids()

    @extend_schema(
        operation_id="posts_schedule",
        request=InputSerializer,
        responses={201: PostSerializer, 422: error_response(TIME_REFUSED)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_schedule(
            tenant=tenant_of(request),
            actor=principal_required(request),
            body=data.validated_data["body"],
            publish_at=data.validated_data["publish_at"],
            attachment_ids=data.validated_data.get("attachment_ids", []),
        )
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)


def _post(request: Request, post_id: int) -> Post:
    return selectors.post_get(actor=principal_required(request), post_id=post_id)


class PostScheduledDetailApi(APIView):
    """A scheduled post: move it to another time, or schedule a draft (PATCH), or cancel it
    (DELETE); 409 once it was published or cancelled."""

    permission_classes = [IsTenantPrincipal]

    class InputSerializer(StrictSerializer):
        publish_at = InRangeDateTimeField()

    @extend_schema(
        operation_id="posts_reschedule",
        request=InputSerializer,
        responses={
            200: PostSerializer,
            409: error_response(CONFLICT),
            422: error_response("`publish_at` is not in the future, or more than a year ahead."),
        },
    )
    def patch(self, request: Request, post_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_reschedule(
            tenant=tenant_of(request),
            post=_post(request, post_id),
            actor=principal_required(request),
            publish_at=data.validated_data["publish_at"],
        )
        return Response(PostSerializer(post).data)

    @extend_schema(
        operation_id="posts_cancel",
        responses={200: PostSerializer, 409: error_response(CONFLICT)},
    )
    def delete(self, request: Request, post_id: int) -> Response:
        post = services.post_cancel(
            tenant=tenant_of(request),
            post=_post(request, post_id),
            actor=principal_required(request),
        )
        return Response(PostSerializer(post).data)


class PostDetailApi(APIView):
    """One post (GET); edit its body or attachments, or publish a draft or scheduled post
    now (PATCH); delete it (DELETE). Authors change their own posts, owners and admins any."""

    permission_classes = [IsTenantPrincipal]

    class InputSerializer(StrictSerializer):
        body = serializers.CharField(max_length=MAX_BODY, trim_whitespace=True, required=False)
        attachment_ids = _attachment_ids()
        publish = serializers.BooleanField(
            default=False, help_text=_("Publish a draft or a scheduled post now.")
        )

    @extend_schema(operation_id="posts_detail", responses=PostSerializer)
    def get(self, request: Request, post_id: int) -> Response:
        return Response(PostSerializer(_post(request, post_id)).data)

    @extend_schema(
        operation_id="posts_update",
        request=InputSerializer,
        responses={
            200: PostSerializer,
            409: error_response(CONFLICT),
            422: error_response(ATTACHMENTS_REFUSED),
        },
    )
    def patch(self, request: Request, post_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_update(
            tenant=tenant_of(request),
            post=_post(request, post_id),
            actor=principal_required(request),
            body=data.validated_data.get("body"),
            attachment_ids=data.validated_data.get("attachment_ids"),
            publish=data.validated_data["publish"],
        )
        return Response(PostSerializer(post).data)

    @extend_schema(
        operation_id="posts_delete", responses={204: None, 409: error_response(CONFLICT)}
    )
    def delete(self, request: Request, post_id: int) -> Response:
        services.post_delete(
            tenant=tenant_of(request),
            post=_post(request, post_id),
            actor=principal_required(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
