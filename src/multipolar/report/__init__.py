"""Presenting results: console tables and machine-readable outputs."""
