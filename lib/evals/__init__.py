"""The Evals page: prompt sets, runs of a set over several models and settings, their scores and history."""
