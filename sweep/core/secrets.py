"""Database URLs without their password: what a sweep prints and what the files it leaves hold."""

from __future__ import annotations


def redact(url: str) -> str:
    """Hide a password in a database URL before printing it."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def strip_password(url: str) -> str:
    """The URL without its password, for files a sweep leaves (plans, best.yaml).

    psycopg finds the password again in PGPASSWORD or ~/.pgpass; workers get the full URL in
    their environment (STORAGE_ENV), never from a file.
    """
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:
        return url  # a journal path: nothing secret in it
    if parsed.password is None:
        return url
    # URL.set(password=None) keeps the password (None means "unchanged"); URL is a NamedTuple.
    return parsed._replace(password=None).render_as_string(hide_password=False)
