"""Lectern's notebook client: an IPython extension that reports each executed cell
(code, output, error, timing) to a Lectern classroom.

Load it with ``%load_ext lectern_client`` or ``c.InteractiveShellApp.extensions =
["lectern_client"]``; configure it with ``LECTERN_URL``, ``LECTERN_TOKEN`` and
``LECTERN_EMAIL`` (see the README). It never stops or slows the student's code:
events are sent from a background thread and spooled on disk until delivered.
"""

import logging

from .extension import status

__version__ = "0.1.0"
__all__ = ["load_ipython_extension", "unload_ipython_extension", "status", "__version__"]

# A library logs only where the application asked it to: without this, Python's
# last-resort handler would print delivery problems into the student's cells.
logging.getLogger("lectern_client").addHandler(logging.NullHandler())


def load_ipython_extension(ipython):
    """Called by ``%load_ext lectern_client`` and by IPython's ``extensions`` setting."""
    from . import extension

    try:
        extension.load(ipython)
    except Exception as error:  # whatever happens, the kernel keeps working
        print(f"lectern_client: could not start ({error!r}); cell events are not sent.")


def unload_ipython_extension(ipython):
    from . import extension

    try:
        extension.unload(ipython)
    except Exception:
        pass
