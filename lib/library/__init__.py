"""The visitor's library: what they keep by name (parameter presets, prompts) in one database."""
