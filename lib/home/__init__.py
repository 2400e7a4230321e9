"""The Home page: the connection doctor."""
