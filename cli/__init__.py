"""signkit's command line (installed as the ``signkit.cli`` package, command ``signkit``)."""
