"""Model parameters (``options``, ``keep_alive``) and the panel that sets them."""
