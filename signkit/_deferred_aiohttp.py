"""Keep pyHanko from importing aiohttp in a process that only verifies.

``import pyhanko.sign`` imports aiohttp (0.12 s, half of it building TLS contexts) through
two modules it loads eagerly for one class each: ``pyhanko.sign.timestamps.aiohttp_client``
(``HTTPTimeStamper``, a TSA client) and ``pyhanko_certvalidator.fetchers.aiohttp_fetchers``
(``AIOHttpFetcherBackend``, the fetchers pyHanko's AdES validation uses when not given any).
Verification fetches over ``http.client`` instead (``signkit.verification.http_fetchers``),
so the ``signkit verify`` command calls ``defer()`` before anything imports pyHanko: the two
modules are stood in for until something really uses them. Then they are imported for real,
and every reference to a stand-in class is pointed at the real one, so a late user (a TSA
client after all) sees pyHanko as it always is.

Only the ``signkit`` command does this; the library never changes its caller's imports.
This module imports only the standard library.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_STOOD_IN = {
    "pyhanko.sign.timestamps.aiohttp_client": "HTTPTimeStamper",
    "pyhanko_certvalidator.fetchers.aiohttp_fetchers": "AIOHttpFetcherBackend",
}

_stand_ins: dict[str, type] = {}  # module name -> its stand-in class, while deferred


def defer() -> None:
    """Stand in for the two modules, unless pyHanko is imported already."""
    if _stand_ins or any(name in sys.modules for name in (
            "pyhanko.sign", "pyhanko_certvalidator.fetchers", *_STOOD_IN)):
        return
    for module_name, class_name in _STOOD_IN.items():
        stand_in = _stand_in_class(module_name, class_name)
        module = _StandInModule(module_name)
        setattr(module, class_name, stand_in)
        sys.modules[module_name] = module
        _stand_ins[module_name] = stand_in


def is_deferred() -> bool:
    return bool(_stand_ins)


def load() -> None:
    """Import the real modules now and put their classes where the stand-ins were."""
    if not _stand_ins:
        return
    stand_ins = dict(_stand_ins)
    _stand_ins.clear()
    for module_name in stand_ins:  # all at once: each real module imports the other
        if isinstance(sys.modules.get(module_name), _StandInModule):
            del sys.modules[module_name]
    real = {stand_in: getattr(importlib.import_module(module_name), _STOOD_IN[module_name])
            for module_name, stand_in in stand_ins.items()}
    for module in list(sys.modules.values()):
        try:  # not getattr: that would load a module someone made lazy
            namespace = object.__getattribute__(module, "__dict__")
        except AttributeError:
            continue
        for attr, value in list(namespace.items()):
            if isinstance(value, type) and value in real:
                namespace[attr] = real[value]


class _StandInModule(types.ModuleType):
    """Any other name asked of a stood-in module loads the real one."""

    def __getattr__(self, name: str) -> Any:
        # not for dunders: `from m import X` asks for m.__path__ first, and that must not load
        if name.startswith("__"):
            raise AttributeError(name)
        load()
        return getattr(sys.modules[self.__name__], name)


def _stand_in_class(module_name: str, class_name: str) -> type:
    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        load()
        return getattr(sys.modules[module_name], class_name)(*args, **kwargs)

    return type(class_name, (), {
        "__new__": __new__,
        "__module__": module_name,
        "__doc__": f"Stands in for {module_name}.{class_name} until first use.",
    })
