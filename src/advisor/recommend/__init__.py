"""The recommendation engine: from a scenario to a strategy, why (rule by rule), and what it costs."""
