"""signkit's command line (installed as the ``signkit_cli`` package, command ``signkit``)."""
