"""One HTTP client for every source: timeouts, retries with backoff and jitter, Retry-After, a rate limit."""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote, quote_plus

import httpx
import tenacity

from autarky import __version__
from autarky.collectors.errors import MalformedResponse, SourceRefused, SourceUnavailable

log = logging.getLogger("autarky.collectors.http")

DEFAULT_TIMEOUT = 60.0          # seconds to wait for an answer
DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds to open a connection
DEFAULT_RETRIES = 4             # further attempts after the first
DEFAULT_BACKOFF = 1.0           # first backoff ceiling in seconds, doubled each attempt (full jitter)
DEFAULT_BACKOFF_MAX = 60.0
DEFAULT_MAX_RETRY_AFTER = 300.0  # a source asking us to wait longer than this fails the task instead
DEFAULT_DEADLINE = 120.0        # seconds for one whole answer, however slowly it trickles in
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BODY_SNIPPET = 300
# Comtrade (Azure API Management) says so in the body: "Rate limit is exceeded. Try again in 2 seconds."
_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)


def user_agent(contact: str = "") -> str:
    """`Autarky/<version>`, with the operator's contact URL or e-mail when configured."""
    return f"Autarky/{__version__} (+{contact})" if contact else f"Autarky/{__version__}"


@dataclass(frozen=True)
class HttpSettings:
    """How one source is reached; every field can be set per source in `[collectors.<name>]`."""

    base_url: str
    timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    backoff_max: float = DEFAULT_BACKOFF_MAX
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
    deadline: float = DEFAULT_DEADLINE  # 0: none
    rate_per_minute: float = 0.0  # 0: no limit
    user_agent: str = user_agent()

    def with_base_url(self, base_url: str) -> "HttpSettings":
        return replace(self, base_url=base_url)


class _Retryable(Exception):
    """A failure worth another attempt; `retry_after` is the wait the source asked for, if it said."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def retry_after_seconds(response: httpx.Response, now: Callable[[], float] = time.time) -> float | None:
    """The wait a 429/503 answer asks for: Retry-After (seconds or HTTP date) or 'Try again in N seconds'."""
    header = response.headers.get("Retry-After")
    if header:
        header = header.strip()
        if re.fullmatch(r"\d+(\.\d+)?", header):
            return float(header)
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - now())
    match = _TRY_AGAIN.search(response.text or "")
    return float(match.group(1)) if match else None


def snippet(text: str) -> str:
    """The first part of a body, on one line, for error messages."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= BODY_SNIPPET else flat[:BODY_SNIPPET] + "..."


class RateLimiter:
    """At most `per_minute` request starts a minute, spaced evenly; shared by the threads of one client."""

    def __init__(self, per_minute: float, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self._sleep, self._clock = sleep, clock
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            self._sleep(delay)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """The text with every secret (and its URL-encoded form) replaced by ***."""
    for secret in secrets:
        if secret:
            forms = {secret, *(encode(secret, safe=safe) for encode in (quote, quote_plus) for safe in ("", "/"))}
            for form in sorted(forms, key=len, reverse=True):
                text = text.replace(form, "***")
    return text


class HttpClient:
    """GET with the source's base URL, User-Agent, timeouts, a total deadline, rate limit and retries; errors name
    the source. `headers` are the source's own (auth) headers: they go to the base URL's origin only, never to
    another host a redirect points at, and their values are scrubbed from every message."""

    def __init__(self, settings: HttpSettings, *, source: str, headers: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None,
                 secrets: Iterable[str] = ()):
        self.settings, self.source = settings, source
        self._sleep = sleep
        self._limiter = RateLimiter(settings.rate_per_minute, sleep)
        own = dict(headers or {})
        self.secrets = tuple(v for v in (*own.values(), *secrets) if v)
        base_url = settings.base_url.rstrip("/") + "/"
        origin = _origin(httpx.URL(base_url))

        def keep_headers_home(request: httpx.Request) -> None:
            if _origin(request.url) != origin:
                for name in own:
                    request.headers.pop(name, None)

        self._client = httpx.Client(base_url=base_url, timeout=self._timeout(settings.timeout),
                                    headers={"User-Agent": settings.user_agent, **own},
                                    follow_redirects=True, transport=transport,
                                    event_hooks={"request": [keep_headers_home]})
        self.requests = 0

    def _timeout(self, seconds: float) -> httpx.Timeout:
        return httpx.Timeout(seconds, connect=min(self.settings.connect_timeout, seconds))

    def scrub(self, text: str) -> str:
        return scrub(text, self.secrets)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, path: str, *, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None, ok: frozenset[int] = frozenset({200})) -> httpx.Response:
        """The answer, once its status is in `ok`; 429, 5xx and timeouts are retried, other statuses raise."""
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Retryable),
            stop=tenacity.stop_after_attempt(self.settings.retries + 1),
            wait=self._wait, sleep=self._sleep, reraise=True,
            before_sleep=lambda state: log.warning("%s: %s; retrying (attempt %d)", self.source,
                                                   self.scrub(str(state.outcome.exception())),
                                                   state.attempt_number + 1),
        )
        try:
            return retrying(self._attempt, path, params, headers, ok)
        except _Retryable as exc:
            attempts = self.settings.retries + 1
            raise SourceUnavailable(self.scrub(f"{self.source}: {exc} (gave up after {attempts} attempts)")) from None

    def get_json(self, path: str, *, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> Any:
        """The decoded JSON body of a 200 answer; a body that is not JSON raises MalformedResponse."""
        response = self.get(path, params=params, headers=headers)
        return self.decode_json(response)

    def decode_json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise MalformedResponse(self.scrub(f"{self.source}: GET {_shown(response.request.url)}: answer is not "
                                               f"JSON: {snippet(response.text)!r}")) from None

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = getattr(exc, "retry_after", None)
        if asked is not None:
            return asked
        ceiling = min(self.settings.backoff_max, self.settings.backoff * 2 ** (state.attempt_number - 1))
        return random.uniform(0, ceiling)

    def _attempt(self, path: str, params: Mapping[str, Any] | None, headers: Mapping[str, str] | None,
                 ok: frozenset[int]) -> httpx.Response:
        self._limiter.wait()
        self.requests += 1
        try:
            response = self._read(path, params, headers)
        except httpx.TimeoutException as exc:
            raise _Retryable(f"GET {path}: timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"GET {path}: {type(exc).__name__}: {exc}") from None
        if response.status_code in ok:
            return response
        where = f"GET {_shown(response.request.url)}: HTTP {response.status_code}"
        body = self.scrub(snippet(response.text))
        if response.status_code in RETRY_STATUSES:
            asked = retry_after_seconds(response)
            if asked is not None and asked > self.settings.max_retry_after:
                raise SourceUnavailable(f"{self.source}: {where}: asks to wait {asked:.0f} s, more than the "
                                        f"{self.settings.max_retry_after:.0f} s allowed: {body}")
            raise _Retryable(f"{where}: {body}", retry_after=asked)
        raise HttpStatusError(self.source, response, f"{self.source}: {where}: {body}", self.scrub(response.text))

    def _read(self, path: str, params: Mapping[str, Any] | None, headers: Mapping[str, str] | None) -> httpx.Response:
        """One GET read to its end, or SourceUnavailable once `deadline` seconds have passed (a server that
        trickles its answer never holds a worker longer than that)."""
        deadline = self.settings.deadline
        if not deadline:
            return self._client.get(path, params=params, headers=headers)
        ends = time.monotonic() + deadline
        timeout = self._timeout(min(self.settings.timeout, deadline))
        with self._client.stream("GET", path, params=params, headers=headers, timeout=timeout) as response:
            chunks = []
            for chunk in response.iter_raw():
                chunks.append(chunk)
                if time.monotonic() > ends:
                    break
            if time.monotonic() > ends:
                raise SourceUnavailable(f"{self.source}: GET {_shown(response.request.url)}: no complete answer "
                                        f"within the {deadline:g} s deadline (deadline in [collectors]); "
                                        f"{sum(map(len, chunks))} bytes received")
        whole = httpx.Response(response.status_code, headers=response.headers, content=b"".join(chunks),
                               request=response.request, history=response.history)
        whole.read()
        return whole


class HttpStatusError(SourceRefused):
    """A 4xx (other than 429) or unexpected status: the source refused this request (`body` scrubbed of keys)."""

    def __init__(self, source: str, response: httpx.Response, message: str, body: str):
        super().__init__(message)
        self.source, self.status, self.body = source, response.status_code, body


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _shown(url: httpx.URL) -> str:
    """The URL without secrets in its query (Census and Comtrade keys can travel as parameters)."""
    hidden = {"key", "subscription-key"}
    params = [(k, "***" if k.lower() in hidden else v) for k, v in url.params.multi_items()]
    return str(url.copy_with(params=params)) if params else str(url)
