"""Runnable examples: `python -m fluxion.examples.book` runs the book's chapter 1."""
