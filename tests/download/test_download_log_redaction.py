"""httpx logs each request's URL at INFO; a presigned URL's query is a credential. The
storage client must get the redaction even in a process where nothing else (the API
client, made lazily) has loaded it yet."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import asyncio, io, logging
import httpx
from axom_tui.download.storage import make_storage_client

stream = io.StringIO()
handler = logging.StreamHandler(stream)
logging.getLogger("httpx").addHandler(handler)
logging.getLogger("httpx").setLevel(logging.INFO)

async def main():
    client = make_storage_client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"x")))
    async with client:
        await client.get("https://storage.example/m/model.bin?expires=9&sig=SECRETSIGNATURE123")

asyncio.run(main())
print(stream.getvalue())
"""


def test_storage_requests_are_logged_without_the_signature() -> None:
    done = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "storage.example/m/model.bin" in done.stdout  # the request was logged
    assert "sig=REDACTED" in done.stdout
    assert "SECRETSIGNATURE123" not in done.stdout
