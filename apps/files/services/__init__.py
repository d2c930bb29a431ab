"""Writes on files, one module per stage; every service is importable from here."""

from apps.files.services.files import Download, file_delete, file_download
from apps.files.services.lifecycle import (
    SweepCounts,
    files_sweep,
    files_sweep_tenant,
    lifecycle_rules,
)
from apps.files.services.processing import (
    FILE_DERIVE,
    file_derive,
    file_derive_given_up,
    file_previews_remake,
    file_scan,
    file_scan_given_up,
)
from apps.files.services.uploads import (
    FILE_SCAN,
    PartRef,
    PartUrl,
    PartUrls,
    UploadTicket,
    part_layout,
    upload_abort,
    upload_complete,
    upload_initiate,
    upload_part_urls,
    upload_parts_list,
)

__all__ = [
    "FILE_DERIVE",
    "FILE_SCAN",
    "Download",
    "PartRef",
    "PartUrl",
    "PartUrls",
    "SweepCounts",
    "UploadTicket",
    "file_delete",
    "file_derive",
    "file_derive_given_up",
    "file_download",
    "file_previews_remake",
    "file_scan",
    "file_scan_given_up",
    "files_sweep",
    "files_sweep_tenant",
    "lifecycle_rules",
    "part_layout",
    "upload_abort",
    "upload_complete",
    "upload_initiate",
    "upload_part_urls",
    "upload_parts_list",
]
