"""Small readers shared by every layer: user files, JSON lines, TOML locations, quantities."""
