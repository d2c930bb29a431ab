from django.urls import path

from apps.posts import apis, views

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
page_patterns = [
    path("feed", views.feed_view, name="feed"),
    path("feed/more", views.feed_more_view, name="feed-more"),
    path("feed/new", views.feed_new_view, name="feed-new"),
    path("feed/archive", views.feed_archive_view, name="feed-archive"),
    path("feed/scheduled", views.feed_scheduled_view, name="feed-scheduled"),
    path("feed/<int:post_id>", views.post_view, name="post"),
    path("feed/<int:post_id>/edit", views.post_edit_view, name="post-edit"),
    path("feed/<int:post_id>/delete", views.post_delete_view, name="post-delete"),
]
