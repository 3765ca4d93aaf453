"""Private file storage: on the local disk, outside any web root, with no URL at all.

Photos, ID scans, evidence and exports are served only by permission-checked views
(docs/security.md); a template that asked a private file for its URL would fail loudly.
"""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise NotImplementedError("私有文件没有公开地址：请通过权限校验的视图提供下载")
