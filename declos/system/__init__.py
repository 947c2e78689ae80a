"""Profiles, generations, the activation plan and applying it to a root."""
