"""Tools a chat model may call: the built-in, safe ones, the user's own declarations, and the steps of a call."""
