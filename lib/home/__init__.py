"""The Home page: its layout, the figures and tables it shows, and the connection doctor."""
