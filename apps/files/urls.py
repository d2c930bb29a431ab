from django.urls import path

from apps.files import apis, views

api_patterns = [
    path("upload/initiate", apis.UploadInitiateApi.as_view(), name="upload-initiate"),
    path("upload/complete", apis.UploadCompleteApi.as_view(), name="upload-complete"),
    path("upload/<uuid:file_id>", apis.UploadAbortApi.as_view(), name="upload-api"),
    path("upload/<uuid:file_id>/parts", apis.UploadPartsApi.as_view(), name="upload-parts"),
    path("files", apis.FileListApi.as_view(), name="files-api"),
    path("files/<uuid:file_id>", apis.FileDetailApi.as_view(), name="file-api"),
    path("files/<uuid:file_id>/download", apis.FileDownloadApi.as_view(), name="file-download"),
]
page_patterns = [
    path("files", views.files_view, name="files"),
    path("files/grid", views.files_grid_view, name="files-grid"),
    path("files/<uuid:file_id>", views.file_view, name="file"),
    path("files/<uuid:file_id>/download", views.file_download_view, name="file-save"),
    path("files/<uuid:file_id>/delete", views.file_delete_view, name="file-delete"),
]
