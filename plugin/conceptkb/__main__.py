"""``python -m conceptkb``."""

from conceptkb.cli import main

raise SystemExit(main())
