from django.urls import path

from apps.files import apis

api_patterns = [
    path("upload/initiate", apis.UploadInitiateApi.as_view(), name="upload-initiate"),
    path("upload/complete", apis.UploadCompleteApi.as_view(), name="upload-complete"),
    path("upload/<uuid:file_id>", apis.UploadAbortApi.as_view(), name="upload-api"),
    path("upload/<uuid:file_id>/parts", apis.UploadPartsApi.as_view(), name="upload-parts"),
    path("files", apis.FileListApi.as_view(), name="files-api"),
    path("files/<uuid:file_id>", apis.FileDetailApi.as_view(), name="file-api"),
    path("files/<uuid:file_id>/download", apis.FileDownloadApi.as_view(), name="file-download"),
]
page_patterns: list = []
