"""`python -m advisor`. The guard matters: worker processes start by importing this module."""

from advisor.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
