"""Prices: the versioned price tables, the catalog that resolves a model id to its row, model-id rules."""
