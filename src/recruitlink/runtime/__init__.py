"""How work runs: the objects a process needs, built once from the settings."""
