"""Review: what a change to the data changes in the site (`kommunkompassen diff`)."""
