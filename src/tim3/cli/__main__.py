"""`python -m tim3.cli`."""

from tim3.cli import main

main()
