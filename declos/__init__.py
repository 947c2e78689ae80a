"""declos: declarative system configuration in the Nix expression language."""

__version__ = "0.1.0"
