"""Worked examples of programs that use recruitlink from the outside (not part of the package)."""
