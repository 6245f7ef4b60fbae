"""SkyPilot's catalog, where it is installed: the price of the GPUs a SkyPilot launch asks for.

SkyPilot keeps each cloud's offers in `~/.sky/catalogs/<schema>/<cloud>/vms.csv` (sky/catalog/common.py and
sky/skylet/constants.py, skypilot-org/skypilot, read 2026-12-07: CATALOG_DIR `~/.sky/catalogs`, a schema
version such as `v7` or `v8`), one row an instance type and zone, with `InstanceType`, `AcceleratorName`,
`AcceleratorCount`, `Price` and `SpotPrice` (USD an hour for the instance, cheapest across regions per
row) and `Region`. SkyPilot matches the accelerator by its name (any case) and a count within 0.01, and
picks the cheapest offer among the clouds it is allowed to use. advisor does not know which clouds those
are (`sky check` decides), so it takes each cloud's cheapest offer and, of those, the dearest: the most
the GPUs can cost whichever enabled cloud SkyPilot picks. The file is read with the csv module; nothing
of SkyPilot is imported.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

CATALOGS = Path("~/.sky/catalogs")
_SCHEMA = re.compile(r"^v(\d+)$")


@dataclass(frozen=True)
class Offer:
    cloud: str
    instance: str
    region: str
    per_hour: Decimal  # the instance's
    gpus: int
    path: Path
    fetched: date

    @property
    def per_gpu_hour(self) -> Decimal:
        return self.per_hour / self.gpus


def catalog_files(root: Path | None = None) -> list[Path]:
    """Each cloud's vms.csv in the newest schema folder there is."""
    base = (root or CATALOGS).expanduser()
    try:
        schemas = [(int(found.group(1)), path) for path in base.iterdir() if (found := _SCHEMA.match(path.name))]
    except OSError:
        return []
    if not schemas:
        return []
    newest = max(schemas)[1]
    return sorted(path for path in newest.glob("*/vms.csv") if path.is_file())


def _number(text: str | None) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def offers(accelerator: str, count: int, *, spot: bool, root: Path | None = None) -> list[Offer]:
    """Each cloud's cheapest offer of `count` x `accelerator` (on spot capacity when `spot`)."""
    cheapest: dict[str, Offer] = {}
    for path in catalog_files(root):
        fetched = datetime.fromtimestamp(path.stat().st_mtime, UTC).date()
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    name, gpus = row.get("AcceleratorName") or "", _number(row.get("AcceleratorCount"))
                    price = _number(row.get("SpotPrice" if spot else "Price"))
                    if name.lower() != accelerator.lower() or gpus is None or abs(gpus - count) > Decimal("0.01"):
                        continue
                    if price is None:
                        continue
                    cloud = path.parent.name
                    offer = Offer(cloud, row.get("InstanceType") or "?", row.get("Region") or "?", price, count, path,
                                  fetched)  # fmt: skip
                    if cloud not in cheapest or offer.per_hour < cheapest[cloud].per_hour:
                        cheapest[cloud] = offer
        except (OSError, UnicodeDecodeError, csv.Error):
            continue  # a catalog that cannot be read prices nothing
    return sorted(cheapest.values(), key=lambda offer: offer.cloud)


def dearest_cheapest(accelerator: str, count: int, *, spot: bool, root: Path | None = None) -> tuple[Offer, int] | None:
    """Of each cloud's cheapest offer, the dearest, and how many clouds offered one."""
    found = offers(accelerator, count, spot=spot, root=root)
    if not found:
        return None
    return max(found, key=lambda offer: offer.per_gpu_hour), len(found)
