"""`python -m wagate`."""

from wagate.cli import main

main()
