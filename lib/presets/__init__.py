"""Parameter presets: named sets of the parameters panel's values, built in or saved per owner."""
