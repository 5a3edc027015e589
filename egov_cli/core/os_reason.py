"""Why an operating-system call failed, in the run's language.

Python gives the C library's text (``Permission denied``) in English whatever the run's language;
the common reasons are translated here, by their error number. Others keep the system's text.
"""

from __future__ import annotations

import errno

from egov_cli.i18n import N_, _

_REASONS = {
    errno.ENOENT: N_("no such file or folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.ENOSPC: N_("no space left on the disk"),
    errno.EDQUOT: N_("disk quota exceeded"),
    errno.EROFS: N_("read-only file system"),
    errno.EISDIR: N_("it is a folder"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.EEXIST: N_("it exists already"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.EBUSY: N_("in use by another program"),
    errno.EIO: N_("input/output error"),
}


def os_reason(exc: OSError) -> str:
    """The reason ``exc`` gives, in the run's language where egov knows it."""
    reason = _REASONS.get(exc.errno) if exc.errno is not None else None
    return _(reason) if reason else (exc.strerror or str(exc))
