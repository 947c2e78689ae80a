"""Builtins, one module per family."""
