"""`python -m openpo` runs the same management utility as the `openpo` console script."""

from openpo.cli import main

if __name__ == "__main__":
    main()
