"""Screen pieces every page shares: widgets, live Markdown, Markdown safety, sidebar, navigation."""
