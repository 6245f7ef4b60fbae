"""advisor: how to improve an LLM feature, and what it will cost."""

__version__ = "0.1.0"
