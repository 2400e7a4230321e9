"""The evals' revisions (lib/evals/store.py)."""
