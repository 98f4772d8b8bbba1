"""The one exception module.

Every error a user can cause derives from DigitkitError, so the CLI prints one line and exits non-zero,
and the server maps it to a 4xx JSON answer. The built-in base classes keep ``except ValueError`` working.
"""


class DigitkitError(Exception):
    """A problem the user can fix; the message says what was expected, what arrived, and how to fix it."""

    status = 400  #: the HTTP status a server answers it with


class DataError(DigitkitError, ValueError):
    """A data file is missing, corrupt, of the wrong shape, or fails its checksum."""


class ImageError(DigitkitError, ValueError):
    """An image cannot be decoded or is not what the endpoint accepts."""


class ArtifactError(DigitkitError, ValueError):
    """A model artifact is truncated, foreign, or from a format/preprocessing version we do not know."""


class UnknownNameError(DigitkitError, KeyError):
    """A recipe, model or architecture name that does not exist; the message lists the ones that do."""

    status = 404

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain.
        return str(self.args[0]) if self.args else ""


class ConfigError(DigitkitError, ValueError):
    """A recipe, setting or environment variable holds a value we cannot use."""


class LimitError(DigitkitError, ValueError):
    """A request exceeds a configured limit (body size, images per request, pixels per image)."""

    status = 413


class ConflictError(DigitkitError, ValueError):
    """The request repeats something already done (a duplicate feedback submission)."""

    status = 409


class UnavailableError(DigitkitError, RuntimeError):
    """A backing service (the feedback database) is locked, missing or unreachable; retrying may work."""

    status = 503
