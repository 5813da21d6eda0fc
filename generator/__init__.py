"""Kommunkompassen Open Results: evaluation YAML to a static MkDocs site.

The pipeline, one module a step: loader (YAML to typed model) -> validate ->
aggregate (totals, means, rankings) -> render (Markdown, SVG, data files) ->
build (MkDocs).
"""
