"""Warnings that a dependency gives about another dependency, which nobody running signkit
can act on.

cryptography 51 deprecates its DSA module, and pyHanko imports it whatever the key type, so
every PDF command would begin with two lines of ``CryptographyDeprecationWarning``. The
``signkit`` command and its worker processes hide exactly that warning, attributed to
pyHanko's own modules; the library leaves its caller's warning filters alone.

Only the standard library is imported here: it runs before anything that imports pyHanko.
"""

from __future__ import annotations

import warnings


def hide() -> None:
    warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko(\.|_|$)")
