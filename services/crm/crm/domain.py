"""Customer rules, free of Flask and SQL."""

from __future__ import annotations


def normalise_email(email: str) -> str:
    """One mailbox, one customer: addresses differing only in case are the same person."""
    return email.strip().lower()


def normalise_tags(tags: list[str]) -> list[str]:
    return sorted({tag.strip().lower() for tag in tags if tag.strip()})
