"""The Models page: the inventory, pulls, Modelfiles."""
