"""What the files page's uploader (static/js/files.js, Uppy's dashboard) is told: how the
server sends files up, what it accepts, and the words it says.

Uppy's own Japanese (@uppy/locales' ja_JP, bundled by scripts/frontend.sh) leaves some of
the dashboard's strings in English (the restored session's, among others) and says a few
badly ("3 個のファイルのアップロードが2" for "2 of 3 files uploaded"); Kura's strings below,
translated like every other string of the site, go over it in every language. The
placeholders are Uppy's (%{name}), which gettext leaves alone."""

from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from apps.files import validation
from apps.tenants.models import Tenant
from apps.tenants.selectors import plan_of


def _uppy_strings() -> dict[str, str | dict[str, str]]:
    """Uppy's strings (its keys; a dict is the singular and plural of a counted one)."""
    return {
        "uploadFailed": _("Not every file was uploaded"),
        # ja_JP says "done" as "complete" (完了しました), on the button that clears the list.
        "done": _("Done"),
        "filesUploadedOfTotal": {
            "0": _("%{complete} of %{smart_count} file uploaded"),
            "1": _("%{complete} of %{smart_count} files uploaded"),
        },
        "dataUploadedOfTotal": _("%{complete} of %{total}"),
        "dataUploadedOfUnknown": _("%{complete} of unknown"),
        "sessionRestored": _("Your uploads were restored"),
        "recoveredXFiles": {
            "0": _("1 file could not be fully restored. Choose it again to carry on."),
            "1": _(
                "%{smart_count} files could not be fully restored. Choose them again to carry on."
            ),
        },
        "recoveredAllFiles": _("All files were restored. You can carry on with the upload."),
        "reSelect": _("Choose again"),
        "showErrorDetails": _("Show what went wrong"),
        "error": _("Error"),
        "noDuplicates": _("%{fileName} is already in the list."),
        "addBulkFilesFailed": {
            "0": _("%{smart_count} file could not be added because of an error."),
            "1": _("%{smart_count} files could not be added because of an error."),
        },
        "addedNumFiles": _("Added %{numFiles} file(s)"),
        "folderAlreadyAdded": _("The folder %{folder} was already added."),
        "browseFolders": _("choose folders"),
        "unnamed": _("Unnamed"),
        "pleaseWait": _("Please wait"),
        "save": _("Save"),
        "editFileWithFilename": _("Edit file %{file}"),
    }


def uploader_context(tenant: Tenant) -> dict[str, Any]:
    """The uploader's settings and words for a page in the request's language."""
    types = ", ".join(validation.allowed_extensions())
    largest = filesizeformat(plan_of(tenant).max_file_bytes)
    return {
        "single_put_max": settings.FILES_SINGLE_PUT_MAX_BYTES,
        "part_bytes": max(settings.FILES_PART_BYTES, settings.FILES_MIN_PART_BYTES),
        "max_parts": settings.FILES_MAX_PARTS,
        "types": types,
        "largest": largest,
        "words": {
            "uppy": _uppy_strings(),
            # Kura's own: what the page writes under the dashboard about a refused file.
            "refused": _("Not uploaded"),
            "typeRefused": _("Files of this kind cannot be uploaded here. Allowed: %(types)s.")
            % {"types": types},
        },
    }
