"""Serving private files: only from permission-checked views, never from a public URL;
and the one test of a zip entry's name that would climb out of where it is unpacked."""

import re

from django.http import FileResponse, Http404

from portal.lib.middleware import PRIVATE_NO_STORE


def private_file_response(
    field_file, *, content_type: str, filename: str = "", attachment: bool = False
) -> FileResponse:
    """Stream a stored file with the stored type, nosniff, and no copy kept by a browser or a proxy."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type=content_type, as_attachment=attachment, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = PRIVATE_NO_STORE  # shared computers keep no copy
    return response


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_zip_name(name: str) -> bool:
    """A zip entry named to escape its folder (zip slip): an absolute path, a drive, or a
    `..` part, with either slash. Photo batches and rosters refuse such archives whole."""
    parts = re.split(r"[\\/]", name)
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name)) or ".." in parts
