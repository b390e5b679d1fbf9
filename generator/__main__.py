"""`python -m generator` is the `modelcat` command."""

from generator.cli import main

raise SystemExit(main())
