"""Token counting: the offline tiktoken vocabularies, the cookbook counting rules, counting files."""
