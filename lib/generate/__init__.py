"""The Generate page: its form, runs, request previews, JSON schema checks and compare mode."""
