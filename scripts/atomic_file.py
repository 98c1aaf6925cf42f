"""Atomic file writes for the scripts: a temporary file beside the target,
then a rename, so a reader never sees half a file."""
import os
import tempfile


def write_atomic(path, data):
    """Writes bytes to a temporary file beside path, then renames it over path."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
