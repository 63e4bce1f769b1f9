"""Asking a record's owner for it when its copy has not arrived: a client that registers a
customer or a product and orders it at once is quicker than the event that copies it here.

Only a placement that names something unknown asks, with the caller's own token (so it learns
nothing the caller may not read), and waits at most OWNER_TIMEOUT seconds; an owner that does
not answer leaves the refusal as it was. The copy is then kept as if the event had come,
dated when it was read, so the event arriving later (older) changes nothing.
"""

from __future__ import annotations

import json
import logging
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

log = logging.getLogger(__name__)
OWNER_TIMEOUT = 2.0
# An order naming more unknown SKUs than this is refused without asking: a client sending
# made-up SKUs must not make the service ask inventory a hundred times for one request.
MOST_ASKED = 10


def read(base_url: str, path: str, authorization: str | None) -> dict | None:
    """The record at `path` of the owner's API, or None if it has none or cannot answer."""
    if not base_url.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP URL: {base_url}")
    headers = {"Accept": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    request = Request(f"{base_url}/api/v1/{quote(path)}", headers=headers)
    try:
        # The URL is the owner's, from the settings, checked to be HTTP(S) above.
        with urlopen(request, timeout=OWNER_TIMEOUT) as answer:  # nosec B310
            return json.loads(answer.read())
    except HTTPError as refused:
        if refused.code != 404:
            log.warning("%s answered %s for %s", base_url, refused.code, path)
        return None
    except (URLError, OSError, ValueError) as exc:
        log.warning("could not ask %s for %s: %s", base_url, path, exc)
        return None
