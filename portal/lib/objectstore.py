"""Private files in an S3-compatible object store (MEDIA_STORAGE=s3, docs/deploy.md).

Like the local PrivateFileSystemStorage: objects are written with a private ACL and the
storage never hands out a URL, signed or not. Photos and scans reach a browser only
through the permission-checked views, which stream `field_file.open()` (portal.lib.files).
"""

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NotImplementedError("私有文件没有公开地址：请通过权限校验的视图提供下载")
