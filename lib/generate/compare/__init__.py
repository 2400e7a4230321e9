"""Generate's compare mode: one prompt, up to four (model, parameters) columns side by side."""
