"""Errors a collector raises: each names the source and what it refused or broke."""

from __future__ import annotations

from autarky.errors import AutarkyError


class SourceError(AutarkyError):
    """A source answered with an error or an answer that cannot be read; the task that asked is abandoned."""


class SourceRefused(SourceError):
    """The source refused the request (HTTP 4xx, or an error message inside an HTTP 200 answer)."""


class MalformedResponse(SourceError):
    """The answer is not what the source's documented format says (bad JSON, missing fields, wrong counts)."""


class SourceUnavailable(SourceError):
    """The source cannot be used now (authentication refused, still failing after every retry): stop this source."""


class SelectionError(AutarkyError):
    """`autarky collect` was asked for a source, indicator or country that does not exist."""
