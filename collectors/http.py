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
from typing import Any, Callable, Mapping

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


class HttpClient:
    """GET with the source's base URL, User-Agent, timeouts, rate limit and retries; errors name the source."""

    def __init__(self, settings: HttpSettings, *, source: str, headers: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None):
        self.settings, self.source = settings, source
        self._sleep = sleep
        self._limiter = RateLimiter(settings.rate_per_minute, sleep)
        timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
        self._client = httpx.Client(base_url=settings.base_url.rstrip("/") + "/", timeout=timeout,
                                    headers={"User-Agent": settings.user_agent, **(headers or {})},
                                    follow_redirects=True, transport=transport)
        self.requests = 0

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
                                                   state.outcome.exception(), state.attempt_number + 1),
        )
        try:
            return retrying(self._attempt, path, params, headers, ok)
        except _Retryable as exc:
            attempts = self.settings.retries + 1
            raise SourceUnavailable(f"{self.source}: {exc} (gave up after {attempts} attempts)") from None

    def get_json(self, path: str, *, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> Any:
        """The decoded JSON body of a 200 answer; a body that is not JSON raises MalformedResponse."""
        response = self.get(path, params=params, headers=headers)
        return self.decode_json(response)

    def decode_json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise MalformedResponse(f"{self.source}: GET {_shown(response.request.url)}: answer is not JSON: "
                                    f"{snippet(response.text)!r}") from None

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
            response = self._client.get(path, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            raise _Retryable(f"GET {path}: timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"GET {path}: {type(exc).__name__}: {exc}") from None
        if response.status_code in ok:
            return response
        where = f"GET {_shown(response.request.url)}: HTTP {response.status_code}"
        if response.status_code in RETRY_STATUSES:
            asked = retry_after_seconds(response)
            if asked is not None and asked > self.settings.max_retry_after:
                raise SourceUnavailable(f"{self.source}: {where}: asks to wait {asked:.0f} s, more than the "
                                        f"{self.settings.max_retry_after:.0f} s allowed: {snippet(response.text)}")
            raise _Retryable(f"{where}: {snippet(response.text)}", retry_after=asked)
        raise HttpStatusError(self.source, response, f"{self.source}: {where}: {snippet(response.text)}")


class HttpStatusError(SourceRefused):
    """A 4xx (other than 429) or unexpected status: the source refused this request."""

    def __init__(self, source: str, response: httpx.Response, message: str):
        super().__init__(message)
        self.source, self.status, self.body = source, response.status_code, response.text


def _shown(url: httpx.URL) -> str:
    """The URL without secrets in its query (Census and Comtrade keys can travel as parameters)."""
    hidden = {"key", "subscription-key"}
    params = [(k, "***" if k.lower() in hidden else v) for k, v in url.params.multi_items()]
    return str(url.copy_with(params=params)) if params else str(url)
