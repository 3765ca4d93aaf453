"""What the imaging app moves when an identity claim completes (accounts.transfer):
photos follow their record; the student's 正确 / 有误 verifications move with her."""

from __future__ import annotations

from imaging.models import PhotoVerification


def move_verifications(*, old, new, now) -> dict[str, int]:
    return {"photo_verifications": PhotoVerification.objects.filter(user=old).update(user=new)}
