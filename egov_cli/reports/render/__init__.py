"""Renderers: a report document as Markdown, HTML, Excel, CSV or JSON."""
