"""The Models page: its layout and tabs, the inventory, pulls, Modelfiles and creating models."""
