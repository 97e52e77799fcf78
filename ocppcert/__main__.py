"""``python -m ocppcert``: the same as the ``ocppcert`` command."""

from ocppcert.cli import main

raise SystemExit(main())
