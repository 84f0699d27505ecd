"""The ``report`` commands of the CLI (registered on ``multipolar.cli.app``)."""

from __future__ import annotations
