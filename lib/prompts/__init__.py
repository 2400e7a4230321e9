"""The prompt library: saved system and user prompts with ``{{variables}}``, filled in a small form before use."""
