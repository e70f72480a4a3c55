"""The officers' pages. Thin: parse, call a service or selector, render (ARCHITECTURE.md)."""
