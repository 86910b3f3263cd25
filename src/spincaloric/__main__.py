"""``python -m spincaloric`` runs the command-line interface."""

from .cli import main

main()
