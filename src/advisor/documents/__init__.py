"""Proposal documents that keep themselves current: advisor blocks inside Markdown, HTML,
reStructuredText or AsciiDoc, filled from scenario files (docs/proposals.md)."""
