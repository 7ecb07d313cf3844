"""A multipart form the test client sends from a generator, so that a test can upload tens of
megabytes without holding them in memory, and count how much of the body the server read.

    upload = StreamedUpload("proof", "besar.jpg", head=JPEG_START, size=30 * MB)
    response = upload.post(client, url, fields={"amount": "135000"})
    upload.bytes_read  # what Django read of the body

`CountingUploadHandler` (put it in settings.FILE_UPLOAD_HANDLERS) is Django's temporary-file
handler that counts the bytes it was given to keep, in `CountingUploadHandler.kept`.
"""

from collections.abc import Iterator

from django.core.files.uploadhandler import TemporaryFileUploadHandler

MB = 1024 * 1024
BOUNDARY = "openpo-streamed-upload"
CHUNK = 64 * 1024


class StreamedUpload:
    def __init__(self, field: str, file_name: str, *, head: bytes, size: int) -> None:
        self.field, self.file_name, self.head, self.size = field, file_name, head, size
        self.bytes_read = 0
        self._parts: Iterator[bytes] = iter(())
        self._buffer = b""

    def post(self, client, path: str, *, fields: dict[str, str] | None = None, **extra):
        prefix = b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in (fields or {}).items()
        )
        prefix += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{self.field}"; '
            f'filename="{self.file_name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        suffix = f"\r\n--{BOUNDARY}--\r\n".encode()
        self._parts = self._generate(prefix, suffix)
        environ = {
            "wsgi.input": self,
            "CONTENT_LENGTH": str(len(prefix) + self.size + len(suffix)),
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        }
        return client.generic("POST", path, b"", **environ, **extra)

    def _generate(self, prefix: bytes, suffix: bytes) -> Iterator[bytes]:
        yield prefix
        yield self.head
        left = self.size - len(self.head)
        zeros = b"\0" * CHUNK
        while left > 0:
            yield zeros[: min(CHUNK, left)]
            left -= CHUNK
        yield suffix

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            part = next(self._parts, None)
            if part is None:
                break
            self._buffer += part
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        self.bytes_read += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)  # multipart bodies are never read by line


class CountingUploadHandler(TemporaryFileUploadHandler):
    kept = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        type(self).kept += len(raw_data)
        return super().receive_data_chunk(raw_data, start)
