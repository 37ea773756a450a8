"""The shared HTTP client against a real loopback server: retries, Retry-After, timeouts, errors, rate limit."""

from __future__ import annotations

import email.utils
import threading
import time

import httpx
import pytest
from werkzeug import Response

from autarky.collectors.errors import MalformedResponse, SourceRefused, SourceUnavailable
from autarky.collectors.http import HttpClient, HttpSettings, RateLimiter, retry_after_seconds, user_agent
from tests.support.collectors import fixture_json


def client(httpserver, sleeps, **settings):
    values = {"base_url": httpserver.url_for("/api"), "backoff": 0.5, "backoff_max": 4.0, **settings}
    return HttpClient(HttpSettings(**values), source="test", sleep=sleeps.append)


def test_base_url_and_user_agent(httpserver):
    httpserver.expect_request("/api/data", query_string="a=1",
                              headers={"User-Agent": user_agent()}).respond_with_json({"ok": True})
    with client(httpserver, []) as http:
        assert http.get_json("data", params={"a": 1}) == {"ok": True}
    assert user_agent().startswith("Autarky/")
    assert user_agent("ops@example.org").endswith("(+ops@example.org)")


def test_server_errors_are_retried_with_growing_jittered_backoff(httpserver):
    for _ in range(3):
        httpserver.expect_ordered_request("/api/x").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/api/x").respond_with_json([1])
    sleeps: list[float] = []
    with client(httpserver, sleeps, retries=4) as http:
        assert http.get_json("x") == [1]
    assert len(sleeps) == 3
    for attempt, slept in enumerate(sleeps):
        assert 0 <= slept <= min(4.0, 0.5 * 2 ** attempt)
    assert http.requests == 4


def test_429_honours_retry_after_seconds(httpserver):
    httpserver.expect_ordered_request("/api/x").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "7"}))
    httpserver.expect_ordered_request("/api/x").respond_with_json({})
    sleeps: list[float] = []
    with client(httpserver, sleeps) as http:
        http.get_json("x")
    assert sleeps == [7.0]


def test_429_honours_try_again_in_n_seconds_in_the_body(httpserver):
    body = fixture_json("comtrade", "429.json")  # "Rate limit is exceeded. Try again in 1 seconds."
    httpserver.expect_ordered_request("/api/x").respond_with_json(body, status=429)
    httpserver.expect_ordered_request("/api/x").respond_with_json({})
    sleeps: list[float] = []
    with client(httpserver, sleeps) as http:
        http.get_json("x")
    assert sleeps == [1.0]


def test_retry_after_as_http_date():
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    response = httpx.Response(503, headers={"Retry-After": later})
    assert 28 <= retry_after_seconds(response) <= 31


def test_a_wait_longer_than_allowed_fails_at_once(httpserver):
    httpserver.expect_request("/api/x").respond_with_response(
        Response("", status=429, headers={"Retry-After": "3600"}))
    sleeps: list[float] = []
    with client(httpserver, sleeps, max_retry_after=60) as http, pytest.raises(SourceUnavailable) as caught:
        http.get("x")
    assert sleeps == [] and "asks to wait 3600 s" in str(caught.value)


def test_timeouts_are_retried_then_reported(httpserver):
    release = threading.Event()

    def slow(_request):
        release.wait(5)
        return Response("late")

    httpserver.expect_request("/api/slow").respond_with_handler(slow)
    sleeps: list[float] = []
    try:
        with client(httpserver, sleeps, timeout=0.1, retries=1) as http, pytest.raises(SourceUnavailable) as caught:
            http.get("slow")
    finally:
        release.set()
    assert "timed out" in str(caught.value) and "gave up after 2 attempts" in str(caught.value)
    assert len(sleeps) == 1
    deadline = time.monotonic() + 5
    while len(httpserver.log) < 2 and time.monotonic() < deadline:  # let the server finish before the next test
        time.sleep(0.01)


def test_client_errors_are_not_retried_and_name_the_url_without_secrets(httpserver):
    httpserver.expect_request("/api/missing").respond_with_data("no such thing", status=404)
    sleeps: list[float] = []
    with client(httpserver, sleeps) as http, pytest.raises(SourceRefused) as caught:
        http.get("missing", params={"key": "SECRET123", "q": "x"})
    message = str(caught.value)
    assert "HTTP 404" in message and "no such thing" in message and "SECRET123" not in message and "q=x" in message
    assert sleeps == [] and len(httpserver.log) == 1


def test_a_body_that_is_not_json_is_malformed(httpserver):
    httpserver.expect_request("/api/x").respond_with_data("{not json", content_type="application/json")
    with client(httpserver, []) as http, pytest.raises(MalformedResponse) as caught:
        http.get_json("x")
    assert "answer is not JSON" in str(caught.value) and "{not json" in str(caught.value)


def test_rate_limiter_spaces_request_starts():
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(30, sleep=sleep, clock=lambda: now[0])  # one request every 2 s
    for _ in range(3):
        limiter.wait()
    assert sleeps == [2.0, 2.0]
    assert RateLimiter(0).interval == 0.0


def test_scrub_hides_a_key_and_its_url_encoded_forms():
    from autarky.collectors.http import scrub
    text = "key=a+b/c%3D and a b/c= and a%20b%2Fc%3D"
    assert scrub(text, ["a b/c="]) == "key=*** and *** and ***"
    assert scrub("nothing to hide", ["", None or ""]) == "nothing to hide"
