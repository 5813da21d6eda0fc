"""The site: pages, charts and data files from the aggregated portal, and the MkDocs build."""
