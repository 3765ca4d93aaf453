"""Photo files, served only through the viewer's scope (QUALITY.md: never public)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from imaging.models import Photo
from portal.files import private_file_response


def _photo_for_read(request, token: str) -> Photo:
    return get_object_or_404(Photo.objects.visible_to(request.user), token=token)


@login_required
def photo_file(request, token: str):
    photo = _photo_for_read(request, token)
    return private_file_response(photo.image, content_type="image/jpeg")


@login_required
def photo_thumbnail(request, token: str):
    photo = _photo_for_read(request, token)
    return private_file_response(photo.thumbnail, content_type="image/jpeg")
