from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.decorators import member_required
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.core.errors import ServiceError, error_text
from apps.core.params import int_param
from apps.files import selectors, services
from apps.files.images import display_size
from apps.files.models import File
from apps.files.policies import can_delete_file, can_upload
from apps.files.uploader import uploader_context

# States still on their way to ready, infected or rejected: the grid asks again soon.
BUSY = {File.State.UPLOADING, File.State.UPLOADED, File.State.SCANNING}


def _grid(principal: Principal, page: int) -> dict[str, Any]:
    files = selectors.file_page(actor=principal, page=page)
    cards = [
        {"file": f, "thumbnail": selectors.image_url(file=f, key=f.thumbnail_key)}
        for f in files.items
    ]
    return {
        "page": files,
        "cards": cards,
        "infected": selectors.files_recently_infected(actor=principal),
        # Uploads in progress elsewhere stay as they are; what the server works on changes.
        "busy": any(f.state in BUSY - {File.State.UPLOADING} for f in files.items),
    }


@member_required()
def files_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """The company's files as a grid of thumbnails and states, and (for those who may
    write) the uploader: Uppy, sending straight to the store through /api/upload."""
    context = _grid(principal, int_param(request.GET.get("page")))
    context["uploader"] = can_upload(principal) and uploader_context(request.tenant)
    return render(request, "files/files.html", context)


@member_required()
def files_grid_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """The grid alone, for htmx: after an upload, and every few seconds while a file is
    being scanned or processed."""
    context = _grid(principal, int_param(request.GET.get("page")))
    return render(request, "files/grid.html", context)


@member_required()
def file_view(request: MemberRequest, principal: Principal, file_id: UUID) -> HttpResponse:
    """One file: its display image (images), what is known of it, download and delete."""
    file = selectors.file_get(actor=principal, file_id=file_id)
    return render(
        request,
        "files/file.html",
        {
            "file": file,
            "display": selectors.image_url(file=file, key=file.display_key),
            "display_size": (
                display_size((file.width, file.height)) if file.width and file.height else None
            ),
            "busy": file.state in BUSY - {File.State.UPLOADING},
            "may_delete": can_delete_file(principal, file),
        },
    )


@member_required()
def file_download_view(request: MemberRequest, principal: Principal, file_id: UUID) -> HttpResponse:
    """To the store's short-lived download URL, asked for at the moment of the click."""
    file = selectors.file_get(actor=principal, file_id=file_id)
    try:
        download = services.file_download(file=file, actor=principal)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect("file", file_id=file.pk)
    return redirect(download.url)


@member_required()
def file_delete_view(request: MemberRequest, principal: Principal, file_id: UUID) -> HttpResponse:
    """Deleting a file, after saying what it does."""
    file = selectors.file_for_delete(actor=principal, file_id=file_id)
    error = None
    if request.method == "POST":
        try:
            services.file_delete(file=file, actor=principal)
        except ServiceError as exc:
            error = error_text(exc)
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": file.name})
            return redirect("files")
    return render(request, "files/file_delete.html", {"file": file, "error": error})
