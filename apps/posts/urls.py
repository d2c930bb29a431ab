from django.urls import path

from apps.posts import apis

api_patterns = [
    path("posts", apis.PostListApi.as_view(), name="posts-api"),
    path("posts/schedule", apis.PostScheduleApi.as_view(), name="posts-schedule"),
    path(
        "posts/schedule/<int:post_id>",
        apis.PostScheduledDetailApi.as_view(),
        name="post-schedule-api",
    ),
    path("posts/<int:post_id>", apis.PostDetailApi.as_view(), name="post-api"),
]
page_patterns: list = []  # type: ignore[type-arg]
